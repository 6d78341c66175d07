// The GUI: window/level and slice rendering as pure functions, then the main window driven like a
// user would (menus' non-dialog API, wheel, keys, right-drag, cursor) on the demo phantom and on a
// real CT from the shared data. Saves a screenshot of the demo for a person to look at.

#include "MainWindow.h"
#include "SliceRenderer.h"
#include "SliceView.h"
#include "VoxelReadout.h"
#include "WindowLevel.h"

#include "TestData.h"

#include "beamlet/core/Image.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/segmentation/ModelRunner.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest/QtTest>

using beamlet::gui::MainWindow;
using beamlet::gui::SliceView;
using beamlet::gui::WindowLevel;

namespace {

constexpr int kLoadTimeoutMs = 60000;

// Voxels of the demo phantom (160x128x60, 2.5 mm, centred on the origin): (146, 63) lies at
// x = 166.25 mm, y = -1.25 mm, inside the bone ring between the 160 and 170 mm ellipses; (0, 0) is
// air; (80, 64) is water at the centre.
constexpr int kBoneI = 146;
constexpr int kBoneJ = 63;

void sendWheel(QWidget* widget, int angleDeltaY) {
  const QPointF pos(widget->width() / 2.0, widget->height() / 2.0);
  QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, angleDeltaY), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget, &event);
}

bool loaded(const MainWindow& window) {
  return !window.isBusy() && window.image() != nullptr;
}

QString lps(const beamlet::Image& image, int i, int j, int k) {
  const beamlet::Vec3 p = image.geometry().indexToPatient(beamlet::Vec3(i, j, k));
  return QStringLiteral("%1 %2 %3 mm (LPS)")
      .arg(p.x(), 0, 'f', 1)
      .arg(p.y(), 0, 'f', 1)
      .arg(p.z(), 0, 'f', 1);
}

} // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

private slots:
  void windowLevelMapsToGrey() {
    const WindowLevel softTissue{400.0, 40.0};
    QCOMPARE(softTissue.lower(), -160.0);
    QCOMPARE(softTissue.upper(), 240.0);
    QCOMPARE(int(softTissue.grey(-160.0)), 0);
    QCOMPARE(int(softTissue.grey(240.0)), 255);
    QVERIFY(std::abs(int(softTissue.grey(40.0)) - 128) <= 1);
    QCOMPARE(int(softTissue.grey(-1000.0)), 0);
    QCOMPARE(int(softTissue.grey(3000.0)), 255);
    QCOMPARE(int(softTissue.grey(0.0)), 102); // (0 + 160) / 400 * 255 = 102
    const WindowLevel lung{1500.0, -600.0};
    QCOMPARE(int(lung.grey(-1350.0)), 0);
    QCOMPARE(int(lung.grey(150.0)), 255);
    // A zero width must not divide by zero: it acts as a threshold at the level.
    const WindowLevel threshold{0.0, 100.0};
    QCOMPARE(int(threshold.grey(0.0)), 0);
    QCOMPARE(int(threshold.grey(200.0)), 255);
  }

  void presetsHaveTheStandardValues() {
    const auto& presets = beamlet::gui::windowPresets();
    QCOMPARE(int(presets.size()), 5);
    QCOMPARE(presets[0].name, QStringLiteral("Soft tissue"));
    QCOMPARE(presets[0].windowLevel, (WindowLevel{400.0, 40.0}));
    QCOMPARE(presets[1].name, QStringLiteral("Lung"));
    QCOMPARE(presets[1].windowLevel, (WindowLevel{1500.0, -600.0}));
    QCOMPARE(presets[2].name, QStringLiteral("Bone"));
    QCOMPARE(presets[2].windowLevel, (WindowLevel{1800.0, 400.0}));
    QCOMPARE(presets[3].name, QStringLiteral("Brain"));
    QCOMPARE(presets[3].windowLevel, (WindowLevel{80.0, 40.0}));
    QCOMPARE(presets[4].name, QStringLiteral("Auto (1-99%)"));
    QVERIFY(presets[4].automatic);
  }

  void autoWindowSpansThePercentiles() {
    // 0..99 repeated: the 1st and 99th percentiles are 1 and 98.
    beamlet::ImageGeometry geometry({100, 10, 1}, beamlet::Vec3::Zero(), beamlet::Vec3::Ones());
    beamlet::VolumeF32 volume(geometry);
    for (std::size_t n = 0; n < volume.size(); ++n) {
      volume[n] = static_cast<float>(n % 100);
    }
    const beamlet::Image image{std::move(volume)};
    const WindowLevel wl = beamlet::gui::autoWindowLevel(image);
    QVERIFY2(std::abs(wl.lower() - 1.0) <= 1.0, qPrintable(QString::number(wl.lower())));
    QVERIFY2(std::abs(wl.upper() - 98.0) <= 1.0, qPrintable(QString::number(wl.upper())));
  }

  void rendersAnAxialSlice() {
    const beamlet::Image phantom = beamlet::makeDemoCtPhantom();
    const QImage slice = beamlet::gui::renderAxialSlice(phantom, 30, WindowLevel{400.0, 40.0});
    QCOMPARE(slice.size(), QSize(160, 128));
    QCOMPARE(slice.format(), QImage::Format_Grayscale8);
    QCOMPARE(qGray(slice.pixel(0, 0)), 0);             // air, -1000 HU
    QCOMPARE(qGray(slice.pixel(80, 64)), 102);         // water, 0 HU
    QCOMPARE(qGray(slice.pixel(kBoneI, kBoneJ)), 255); // bone, 700 HU
    QVERIFY(beamlet::gui::renderAxialSlice(phantom, 60, WindowLevel{}).isNull());
    QVERIFY(beamlet::gui::renderAxialSlice(phantom, -1, WindowLevel{}).isNull());
  }

  void readoutNamesPositionAndValue() {
    const beamlet::Image phantom = beamlet::makeDemoCtPhantom();
    // Voxel (0, 0, 0) is the origin (-198.75, -158.75, -88.5) mm; z of slice 30 is 1.5 mm.
    const QString corner = beamlet::gui::formatVoxelReadout(phantom, 0, 0, 0);
    QVERIFY2(corner.contains(QStringLiteral("voxel (0, 0, 0)")), qPrintable(corner));
    QVERIFY2(corner.contains(QStringLiteral("-88.5 mm (LPS)")), qPrintable(corner));
    QVERIFY2(corner.endsWith(QStringLiteral("-1000 HU")), qPrintable(corner));
    QCOMPARE(beamlet::gui::slicePositionMm(phantom, 30), 1.5);
    QVERIFY(beamlet::gui::formatVoxelReadout(phantom, 160, 0, 0).isEmpty());
  }

  void demoCaseInTheMainWindow() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(loaded(window), kLoadTimeoutMs);
    const beamlet::Image& image = *window.image();
    const beamlet::Index3 dims = image.geometry().dims;
    QCOMPARE(dims, (beamlet::Index3{160, 128, 60}));

    SliceView* view = window.sliceView();
    QSlider* slider = window.sliceSlider();
    QCOMPARE(slider->minimum(), 0);
    QCOMPARE(slider->maximum(), dims[2] - 1);
    QCOMPARE(view->slice(), dims[2] / 2);
    QCOMPARE(slider->value(), view->slice());

    // CT opens with the soft-tissue window.
    QCOMPARE(window.presetBox()->currentText(), QStringLiteral("Soft tissue"));
    QCOMPARE(view->windowLevel(), (WindowLevel{400.0, 40.0}));
    const QString info = window.viewInfoLabel()->text();
    QVERIFY2(info.contains(QStringLiteral("W 400 HU")) && info.contains(QStringLiteral("L 40 HU")),
             qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("slice 30/59 at 1.5 mm")), qPrintable(info));

    // What is drawn: one pixel per voxel, bone bright and air black.
    const QImage& slice = view->renderedSlice();
    QCOMPARE(slice.size(), QSize(dims[0], dims[1]));
    QVERIFY(qGray(slice.pixel(kBoneI, kBoneJ)) != qGray(slice.pixel(0, 0)));
    QCOMPARE(qGray(slice.pixel(kBoneI, kBoneJ)), 255);
    QCOMPARE(qGray(slice.pixel(0, 0)), 0);

    // Scaled with the physical aspect ratio (400 x 320 mm), filling the view in one direction.
    const QRectF rect = view->imageRect();
    QVERIFY(!rect.isEmpty());
    QVERIFY2(std::abs(rect.width() / rect.height() - 1.25) < 0.01,
             qPrintable(QStringLiteral("%1 x %2").arg(rect.width()).arg(rect.height())));
    QVERIFY(std::abs(rect.width() - view->width()) < 1.0 ||
            std::abs(rect.height() - view->height()) < 1.0);

    // Slice navigation: wheel, PageUp/PageDown, the slider, clamped at the ends.
    const int k0 = view->slice();
    sendWheel(view, 120);
    QCOMPARE(view->slice(), k0 + 1);
    QCOMPARE(slider->value(), k0 + 1);
    sendWheel(view, -240);
    QCOMPARE(view->slice(), k0 - 1);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_PageDown);
    QCOMPARE(view->slice(), k0 - 2);
    QTest::keyClick(view, Qt::Key_PageUp);
    QCOMPARE(view->slice(), k0 - 1);
    slider->setValue(5);
    QCOMPARE(view->slice(), 5);
    QVERIFY2(window.viewInfoLabel()->text().contains(QStringLiteral("slice 5/59 at -73.5 mm")),
             qPrintable(window.viewInfoLabel()->text()));
    for (int n = 0; n < 10; ++n) {
      QTest::keyClick(view, Qt::Key_PageDown);
    }
    QCOMPARE(view->slice(), 0);
    slider->setValue(k0);
    QCOMPARE(view->slice(), k0);

    // Cursor readout over the bone ring: index, LPS position and HU.
    const QPoint bonePos = view->widgetPosition(kBoneI, kBoneJ).toPoint();
    QTest::mouseMove(view, bonePos);
    QTRY_VERIFY(!window.cursorLabel()->text().isEmpty());
    const QString readout = window.cursorLabel()->text();
    QVERIFY2(readout.contains(QStringLiteral("voxel (146, 63, 30)")), qPrintable(readout));
    QVERIFY2(readout.contains(QStringLiteral("166.2 -1.2 1.5 mm (LPS)")) ||
                 readout.contains(QStringLiteral("166.3 -1.3 1.5 mm (LPS)")),
             qPrintable(readout));
    QVERIFY2(readout.endsWith(QStringLiteral("700 HU")), qPrintable(readout));
    // The readout follows the slice under a still mouse.
    sendWheel(view, 120);
    QVERIFY2(window.cursorLabel()->text().contains(QStringLiteral("voxel (146, 63, 31)")),
             qPrintable(window.cursorLabel()->text()));
    sendWheel(view, -120);

    // Right-drag: right widens the window, down raises the level; the preset becomes "Custom".
    const QPoint start(view->width() / 2, view->height() / 2);
    const QPoint end = start + QPoint(60, 30);
    QTest::mousePress(view, Qt::RightButton, Qt::NoModifier, start);
    QTest::mouseMove(view, start + QPoint(30, 15));
    QTest::mouseMove(view, end);
    QTest::mouseRelease(view, Qt::RightButton, Qt::NoModifier, end);
    const WindowLevel dragged = view->windowLevel();
    QVERIFY2(dragged.width > 400.0 && dragged.level > 40.0,
             qPrintable(QStringLiteral("W %1 L %2").arg(dragged.width).arg(dragged.level)));
    QCOMPARE(window.presetBox()->currentText(), QStringLiteral("Custom"));
    QVERIFY2(window.viewInfoLabel()->text().contains(
                 QStringLiteral("W %1 HU").arg(dragged.width, 0, 'g', 6)),
             qPrintable(window.viewInfoLabel()->text()));
    // Moving without the button no longer changes it.
    QTest::mouseMove(view, start);
    QCOMPARE(view->windowLevel(), dragged);

    // Presets from the combo box.
    window.presetBox()->setCurrentText(QStringLiteral("Bone"));
    QCOMPARE(view->windowLevel(), (WindowLevel{1800.0, 400.0}));
    window.presetBox()->setCurrentText(QStringLiteral("Auto (1-99%)"));
    const WindowLevel automatic = view->windowLevel();
    QVERIFY(automatic.lower() >= -1000.0 && automatic.upper() <= 700.0);
    window.presetBox()->setCurrentText(QStringLiteral("Soft tissue"));
    QCOMPARE(view->windowLevel(), (WindowLevel{400.0, 40.0}));

    // A screenshot for a person to look at.
    QTest::mouseMove(view, bonePos);
    QTest::qWait(50); // let the status bar lay out the new readout before the grab
    const QString outDir = QStringLiteral(BEAMLET_BINARY_DIR "/test-output");
    QVERIFY(QDir().mkpath(outDir));
    const QString shot = outDir + QStringLiteral("/gui_demo.png");
    QVERIFY(window.grab().save(shot));
    qInfo("screenshot: %s", qPrintable(shot));
  }

  void realCtFromTheSharedData() {
    BEAMLET_REQUIRE_DATA("dicom/totalsegmentator/example_ct_dicom");
    const QString path =
        QString::fromStdString(beamlet::test::dataPath("dicom/totalsegmentator/example_ct_dicom"));
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loadedSpy(&window, &MainWindow::imageLoaded);
    window.openFolder(path);
    QTRY_VERIFY_WITH_TIMEOUT(loaded(window), kLoadTimeoutMs);
    QCOMPARE(loadedSpy.count(), 1);
    QCOMPARE(window.seriesList()->count(), 1);
    QVERIFY2(window.seriesList()->item(0)->text().contains(QStringLiteral("512 x 512, 20 slices")),
             qPrintable(window.seriesList()->item(0)->text()));

    const beamlet::Image& image = *window.image();
    QCOMPARE(image.geometry().dims, (beamlet::Index3{512, 512, 20}));
    QCOMPARE(QString::fromStdString(image.units), QStringLiteral("HU"));
    QCOMPARE(window.sliceSlider()->maximum(), 19);
    QCOMPARE(window.presetBox()->currentText(), QStringLiteral("Soft tissue"));

    SliceView* view = window.sliceView();
    QCOMPARE(view->renderedSlice().size(), QSize(512, 512));
    // A voxel near the centre of slice 10 (inside the body) and one in the corner (outside it).
    for (const auto& [i, j] : {std::pair<int, int>{256, 300}, std::pair<int, int>{3, 3}}) {
      const int k = view->slice();
      QCOMPARE(k, 10);
      QTest::mouseMove(view, view->widgetPosition(i, j).toPoint());
      const QString expectedVoxel = QStringLiteral("voxel (%1, %2, %3)").arg(i).arg(j).arg(k);
      QTRY_VERIFY2(window.cursorLabel()->text().contains(expectedVoxel),
                   qPrintable(window.cursorLabel()->text()));
      const QString readout = window.cursorLabel()->text();
      QVERIFY2(readout.contains(lps(image, i, j, k)),
               qPrintable(readout + " vs " + lps(image, i, j, k)));
      const double hu = image.valueAt(image.geometry().linearIndex(i, j, k));
      QVERIFY2(readout.endsWith(QStringLiteral("   %1 HU").arg(static_cast<long long>(hu))),
               qPrintable(readout));
      QVERIFY(hu >= -1100.0 && hu <= 3100.0);
    }

    const QString outDir = QStringLiteral(BEAMLET_BINARY_DIR "/test-output");
    QVERIFY(QDir().mkpath(outDir));
    QVERIFY(window.grab().save(outDir + QStringLiteral("/gui_ct.png")));

    // A click on the series already shown does not reload it.
    QTest::mouseClick(window.seriesList()->viewport(), Qt::LeftButton, Qt::NoModifier,
                      window.seriesList()->visualItemRect(window.seriesList()->item(0)).center());
    QVERIFY(!window.isBusy());
    QCOMPARE(loadedSpy.count(), 1);
  }

  void cancellingAScanKeepsTheWindowUsable() {
    BEAMLET_REQUIRE_DATA("dicom/totalsegmentator/example_ct_dicom");
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window, &MainWindow::taskFinished);
    window.openFolder(
        QString::fromStdString(beamlet::test::dataPath("dicom/totalsegmentator/example_ct_dicom")));
    QVERIFY(window.isBusy());
    auto* dialog = window.findChild<QProgressDialog*>();
    QVERIFY(dialog != nullptr);
    auto* cancel = dialog->findChild<QPushButton*>();
    QVERIFY(cancel != nullptr);
    cancel->click();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kLoadTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), kLoadTimeoutMs);
    if (finished.first().first().toBool()) {
      QSKIP("the scan finished before the cancel reached it");
    }
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Cancelled"));
    QCOMPARE(window.seriesList()->count(), 0);
    QVERIFY(window.findChild<QProgressDialog*>() == nullptr);
    // Still usable after the cancel.
    window.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(loaded(window), kLoadTimeoutMs);
  }

  void errorsAreShownNotThrown() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window, &MainWindow::taskFinished);
    window.openFolder(QStringLiteral("/nonexistent/beamlet-gui-test"));
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kLoadTimeoutMs);
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!window.isBusy());
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.startsWith(QStringLiteral("Error: /nonexistent/beamlet-gui-test")),
             qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY(window.image() == nullptr);
    // Loading a series that the (empty) session does not have is an error too, not a crash.
    window.loadSeries(QStringLiteral("1.2.3"));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, kLoadTimeoutMs);
    QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Error: ")));
  }

  void torchInferenceInTheGuiProcess() {
    // Debian's LibTorch brings Qt 5 libraries into this Qt 6 process (through OpenCV): a 3-D
    // convolution network runs here, then the main window still opens and draws a slice.
    QTemporaryDir dir;
    QProcess generator;
    generator.start("/usr/bin/python3",
                    {QString(BEAMLET_SOURCE_DIR) + "/tests/model/make_test_models.py", dir.path()});
    QVERIFY(generator.waitForFinished(120000));
    QVERIFY2(generator.exitCode() == 0, generator.readAllStandardError().constData());
    const beamlet::segmentation::ModelRunner runner((dir.path() + "/conv.pt").toStdString());
    const beamlet::VolumeF32 input(
        beamlet::ImageGeometry({16, 12, 8}, beamlet::Vec3::Zero(), beamlet::Vec3(2, 2, 3)), 0.5f);
    const std::vector<beamlet::VolumeF32> out = runner.forward(input);
    QCOMPARE(out.size(), std::size_t{3});
    QVERIFY(std::abs(out[0][100] + out[1][100] + out[2][100] - 1.0f) < 1e-5f);

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(loaded(window), kLoadTimeoutMs);
    const QImage shot = window.sliceView()->grab().toImage();
    QVERIFY(!shot.isNull());
    int grey = 0;
    for (int x = 0; x < shot.width(); x += 4) {
      grey = std::max(grey, qGray(shot.pixel(x, shot.height() / 2)));
    }
    QVERIFY2(grey > 50, "the slice view drew nothing after inference");
  }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
