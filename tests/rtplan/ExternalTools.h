#pragma once
// The DICOM peers the RT plan tests check against: dciodvfy (dicom3tools) and pydicom. Either may
// be missing on a developer machine; the tests then skip that check, unless
// BEAMLET_REQUIRE_TEST_DATA=1 (CI), where a missing peer fails.

#include <QProcess>
#include <QString>
#include <QStringList>

#include <string>

namespace beamlet::test {

struct ProcessResult {
  bool started = false;
  int exitCode = -1;
  QString out;
  QString err;
};

inline ProcessResult runProcess(const QString& program, const QStringList& args,
                                int timeoutMs = 120000) {
  QProcess p;
  p.start(program, args);
  ProcessResult r;
  r.started = p.waitForStarted(10000);
  if (!r.started) {
    return r;
  }
  p.waitForFinished(timeoutMs);
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

/// A Python 3 that can import pydicom (Debian's python3-pydicom lives in /usr/bin/python3; a
/// pyenv or virtualenv python3 earlier on PATH may not have it). Empty when there is none.
inline QString pythonWithPydicom() {
  static const QString found = [] {
    for (const QString& candidate : {QString("/usr/bin/python3"), QString("python3")}) {
      const ProcessResult r = runProcess(candidate, {"-c", "import pydicom"});
      if (r.started && r.exitCode == 0) {
        return candidate;
      }
    }
    return QString();
  }();
  return found;
}

inline QString dciodvfyProgram() {
  const ProcessResult r = runProcess("dciodvfy", {"-help"}, 10000);
  return r.started ? QString("dciodvfy") : QString();
}

/// dciodvfy's "Error" lines for a file; its "Warning" lines go to `warnings`.
inline QStringList dciodvfyErrors(const std::string& file, QStringList* warnings) {
  const ProcessResult r = runProcess("dciodvfy", {QString::fromStdString(file)});
  QStringList errors;
  for (const QString& line : (r.out + r.err).split('\n', Qt::SkipEmptyParts)) {
    if (line.startsWith("Error")) {
      errors << line;
    } else if (line.startsWith("Warning")) {
      *warnings << line;
    }
  }
  if (!r.started) {
    errors << "Error - dciodvfy did not start";
  }
  return errors;
}

} // namespace beamlet::test

/// Skips (or fails when peers are required) if a peer tool is missing.
#define BEAMLET_REQUIRE_TOOL(program, what)                                                        \
  do {                                                                                             \
    if ((program).isEmpty()) {                                                                     \
      const QByteArray beamletMsg_ = QByteArray("peer tool missing: ") + (what);                   \
      if (beamlet::test::testDataRequired()) {                                                     \
        QFAIL(beamletMsg_.constData());                                                            \
      }                                                                                            \
      QSKIP(beamletMsg_.constData());                                                              \
    }                                                                                              \
  } while (false)
