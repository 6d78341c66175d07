#pragma once
// Shared by the RTSTRUCT tests: a CT series written from a volume (OpenKBP ships NIfTI only), the
// external peers (dciodvfy, plastimatch, /usr/bin/python3 with pydicom and dicompyler-core), Dice.

#include "TestData.h"

#include "beamlet/core/Image.h"
#include "beamlet/dicom/CtSeriesWriter.h"
#include "beamlet/dicom/StudyContext.h"

#include <QProcess>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <string>

namespace beamlet::test {

struct Run {
  bool started = false;
  int exitCode = -1;
  QString output; ///< stdout and stderr together
};

inline Run runProgram(const QString& program, const QStringList& args, int timeoutMs = 600000) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  Run r;
  r.started = p.waitForStarted(10000);
  if (!r.started) {
    return r;
  }
  p.waitForFinished(timeoutMs);
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.output = QString::fromUtf8(p.readAll());
  return r;
}

/// Debian's python3 (pydicom, dicompyler-core); a pyenv python3 first on PATH lacks them.
inline const QString kSystemPython = "/usr/bin/python3";

/// dciodvfy's lines that start with "Error".
inline QStringList dciodvfyErrors(const std::string& file, int* warnings = nullptr) {
  const Run r = runProgram("dciodvfy", {QString::fromStdString(file)});
  QStringList errors;
  int w = 0;
  for (const QString& line : r.output.split('\n', Qt::SkipEmptyParts)) {
    if (line.startsWith("Error")) {
      errors << line;
    } else if (line.startsWith("Warning")) {
      ++w;
    }
  }
  if (!r.started) {
    errors << "Error - dciodvfy did not start";
  }
  if (warnings != nullptr) {
    *warnings = w;
  }
  return errors;
}

/// Writes `ct` as a CT Image Storage series (dicom::writeCtSeries, one file per slice) for a test
/// patient `patientId`; returns the folder.
inline std::string writeCtSeries(const Image& ct, const std::filesystem::path& folder,
                                 const std::string& patientId) {
  dicom::StudyContext study;
  study.patientId = patientId;
  study.patientName = "Test^" + patientId;
  study.studyDate = "20240101";
  dicom::writeCtSeries(ct, folder.string(), study);
  return folder.string();
}

/// 2|A and B| / (|A| + |B|) over non-zero voxels (1 when both are empty).
inline double dice(const Mask& a, const Mask& b) {
  std::size_t both = 0;
  std::size_t na = 0;
  std::size_t nb = 0;
  for (std::size_t v = 0; v < a.size(); ++v) {
    const bool x = a[v] != 0;
    const bool y = b[v] != 0;
    na += x ? 1 : 0;
    nb += y ? 1 : 0;
    both += x && y ? 1 : 0;
  }
  return na + nb == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(na + nb);
}

} // namespace beamlet::test
