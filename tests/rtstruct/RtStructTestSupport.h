#pragma once
// Shared by the RTSTRUCT tests: a CT series written from a volume (OpenKBP ships NIfTI only), the
// external peers (dciodvfy, plastimatch, /usr/bin/python3 with pydicom and dicompyler-core), Dice.

#include "TestData.h"

#include "beamlet/core/Image.h"
#include "beamlet/dicom/StudyContext.h"

#include <dcmtk/dcmdata/dctk.h>

#include <QProcess>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
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

/// Writes `ct` as a CT Image Storage series, one file per slice, with its geometry; returns the
/// folder. Values are stored as signed 16-bit with RescaleSlope 1, RescaleIntercept 0.
inline std::string writeCtSeries(const Image& ct, const std::filesystem::path& folder,
                                 const std::string& patientId) {
  std::filesystem::create_directories(folder);
  const ImageGeometry& g = ct.geometry();
  const std::string study = dicom::newUid();
  const std::string series = dicom::newUid();
  const std::string frame = dicom::newUid();
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return std::string(buf);
  };
  const Vec3 r = g.direction.col(0);
  const Vec3 c = g.direction.col(1);
  const std::string orientation = num(r.x()) + "\\" + num(r.y()) + "\\" + num(r.z()) + "\\" +
                                  num(c.x()) + "\\" + num(c.y()) + "\\" + num(c.z());
  const std::size_t perSlice = static_cast<std::size_t>(g.dims[0]) * g.dims[1];
  std::vector<Sint16> pixels(perSlice);
  for (int k = 0; k < g.dims[2]; ++k) {
    const std::size_t first = g.linearIndex(0, 0, k);
    for (std::size_t n = 0; n < perSlice; ++n) {
      const double v = std::round(ct.valueAt(first + n));
      pixels[n] = static_cast<Sint16>(std::clamp(v, -32768.0, 32767.0));
    }
    DcmFileFormat file;
    DcmDataset* dataset = file.getDataset();
    const Vec3 p = g.indexToPatient(Vec3(0, 0, k));
    dataset->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    dataset->putAndInsertString(DCM_SOPInstanceUID, dicom::newUid().c_str());
    dataset->putAndInsertString(DCM_StudyInstanceUID, study.c_str());
    dataset->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    dataset->putAndInsertString(DCM_FrameOfReferenceUID, frame.c_str());
    dataset->putAndInsertString(DCM_Modality, "CT");
    dataset->putAndInsertString(DCM_PatientID, patientId.c_str());
    dataset->putAndInsertString(DCM_PatientName, ("Test^" + patientId).c_str());
    dataset->putAndInsertString(DCM_StudyDate, "20240101");
    dataset->putAndInsertString(DCM_SeriesNumber, "1");
    dataset->putAndInsertString(DCM_InstanceNumber, std::to_string(k + 1).c_str());
    dataset->putAndInsertString(DCM_ImagePositionPatient,
                                (num(p.x()) + "\\" + num(p.y()) + "\\" + num(p.z())).c_str());
    dataset->putAndInsertString(DCM_ImageOrientationPatient, orientation.c_str());
    dataset->putAndInsertString(DCM_PixelSpacing,
                                (num(g.spacing.y()) + "\\" + num(g.spacing.x())).c_str());
    dataset->putAndInsertString(DCM_SliceThickness, num(g.spacing.z()).c_str());
    dataset->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    dataset->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    dataset->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(g.dims[1]));
    dataset->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(g.dims[0]));
    dataset->putAndInsertUint16(DCM_BitsAllocated, 16);
    dataset->putAndInsertUint16(DCM_BitsStored, 16);
    dataset->putAndInsertUint16(DCM_HighBit, 15);
    dataset->putAndInsertUint16(DCM_PixelRepresentation, 1);
    dataset->putAndInsertString(DCM_RescaleIntercept, "0");
    dataset->putAndInsertString(DCM_RescaleSlope, "1");
    dataset->putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(pixels.data()),
                                     pixels.size());
    const std::string path = (folder / ("CT" + std::to_string(k) + ".dcm")).string();
    if (file.saveFile(path.c_str(), EXS_LittleEndianExplicit).bad()) {
      throw std::runtime_error("cannot write " + path);
    }
  }
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
