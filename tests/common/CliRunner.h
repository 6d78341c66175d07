#pragma once
// Runs the built beamlet-cli as a user would and captures what it printed.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace beamlet::test {

struct CliRun {
  int exitCode = -1; ///< -1 when the process crashed or did not finish
  QString out;
  QString err;
};

inline CliRun runCli(const QStringList& args, int timeoutMs = 300000) {
  QProcess p;
  p.start(QString(BEAMLET_BINARY_DIR) + "/bin/beamlet-cli", args);
  p.waitForFinished(timeoutMs);
  CliRun r;
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

} // namespace beamlet::test
