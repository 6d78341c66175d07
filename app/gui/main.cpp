// beamlet: the desktop front end. `beamlet [--demo] [DIR]` opens the demo case or scans DIR and
// loads its first image series; everything else is in the File menu.

#include "MainWindow.h"

#include "beamlet/core/Log.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

int main(int argc, char** argv) {
  // QApplication first: it takes its own options (-platform, -style, ...) out of argv. The price is
  // that --help needs a display too, as for any Qt program.
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("beamlet"));
  QApplication::setApplicationVersion(QStringLiteral(BEAMLET_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Beamlet radiotherapy planning assistant: view DICOM image series"));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption demo(QStringLiteral("demo"),
                                QStringLiteral("Open the built-in demo case (a CT phantom)"));
  parser.addOption(demo);
  parser.addPositionalArgument(QStringLiteral("DIR"),
                               QStringLiteral("DICOM folder to scan; its first series is loaded"),
                               QStringLiteral("[DIR]"));
  parser.process(app);
  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1 || (parser.isSet(demo) && !positional.isEmpty())) {
    std::fprintf(stderr, "beamlet: error: give either --demo or one DIR\n");
    return 2;
  }

  // Libraries log through beamlet::log; the terminal that started the GUI is where a physicist or
  // a bug report will look for details the status bar has no room for.
  beamlet::log::setSink([](beamlet::LogLevel level, const std::string& message) {
    std::fprintf(stderr, "beamlet: %s: %s\n", beamlet::log::levelName(level), message.c_str());
  });

  beamlet::gui::MainWindow window;
  window.show();
  if (parser.isSet(demo)) {
    window.openDemo();
  } else if (!positional.isEmpty()) {
    window.openFolder(positional.front(), /*loadFirstSeries=*/true);
  }
  return QApplication::exec();
}
