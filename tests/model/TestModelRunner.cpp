// The TorchScript model runner against Python/LibTorch: models with fixed weights made by the
// test's own generator (make_test_models.py, Debian's python3-torch 1.13, the runtime's Torch),
// one forward pass and sliding-window inference compared with Python's outputs (max abs 1e-4);
// patch tiling and Gaussian weights; one-line errors for a broken model file and a manifest that
// disagrees with its model.

#include "beamlet/core/Error.h"
#include "beamlet/segmentation/AutoContour.h"
#include "beamlet/segmentation/ModelRunner.h"
#include "beamlet/segmentation/SlidingWindow.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

std::vector<float> readFloats(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto bytes = static_cast<std::size_t>(in.tellg());
  std::vector<float> v(bytes / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(bytes));
  return v;
}

VolumeF32 volume(const fs::path& path, Index3 dims) {
  const ImageGeometry g(dims, Vec3(-10, 20, -5), Vec3(2.0, 2.0, 3.0));
  return VolumeF32(g, readFloats(path));
}

double maxDifference(const std::vector<VolumeF32>& channels, const std::vector<float>& expected) {
  double worst = 0.0;
  std::size_t n = 0;
  for (const VolumeF32& c : channels) {
    for (float v : c.voxels()) {
      worst = std::max(worst, std::abs(static_cast<double>(v) - expected.at(n++)));
    }
  }
  return n == expected.size() ? worst : 1e30;
}

} // namespace

class TestModelRunner : public QObject {
  Q_OBJECT

private:
  QTemporaryDir dir_;
  fs::path models_;

private Q_SLOTS:
  void initTestCase() {
    models_ = fs::path(dir_.path().toStdString());
    QProcess p;
    p.start("/usr/bin/python3", {QString(BEAMLET_SOURCE_DIR) + "/tests/model/make_test_models.py",
                                 QString::fromStdString(models_.string())});
    QVERIFY2(p.waitForFinished(120000), "the generator did not finish");
    QVERIFY2(p.exitCode() == 0, qPrintable("python3-torch (installer/debian-deps.sh) is needed: " +
                                           QString::fromUtf8(p.readAllStandardError())));
    segmentation::setInferenceThreads(2);
  }

  void oneForwardPassMatchesPython() {
    const segmentation::ModelRunner runner((models_ / "conv.pt").string());
    QCOMPARE(runner.manifest().outputChannels(), 3);
    const VolumeF32 input = volume(models_ / "input_small.f32", {16, 12, 8});
    const std::vector<VolumeF32> out = runner.forward(input);
    QCOMPARE(out.size(), std::size_t{3});
    QCOMPARE(out[0].geometry().origin, input.geometry().origin);
    const double diff = maxDifference(out, readFloats(models_ / "expected_conv.f32"));
    qInfo("conv model, one pass: max |difference| from Python %.2e", diff);
    QVERIFY(diff <= 1e-4);
    // The input is exactly one patch: sliding-window inference is that one pass.
    QVERIFY(maxDifference(runner.predict(input), readFloats(models_ / "expected_conv.f32")) <=
            1e-4);
  }

  void slidingWindowBlendsToTheWholeVolumeAnswer() {
    // A voxel-wise model: every patch predicts each voxel as the whole volume would, so the
    // Gaussian-weighted blend of 4 x 4 x 4 overlapping patches must give Python's answer.
    const segmentation::ModelRunner runner((models_ / "point.pt").string());
    const VolumeF32 input = volume(models_ / "input_big.f32", {40, 30, 20});
    ProgressMonitor monitor;
    const std::vector<VolumeF32> out = runner.predict(input, 3, &monitor);
    const double diff = maxDifference(out, readFloats(models_ / "expected_point.f32"));
    qInfo("point model, 40x30x20 in 16x12x8 patches: max |difference| %.2e", diff);
    QVERIFY(diff <= 1e-4);
    QCOMPARE(monitor.fraction(), 1.0);
    // An input smaller than a patch is padded and cropped back.
    const VolumeF32 small(ImageGeometry({7, 5, 3}, Vec3::Zero(), Vec3(2, 2, 3)), 0.25f);
    const std::vector<VolumeF32> s = runner.predict(small);
    QCOMPARE(s[0].dims(), small.dims());
    QVERIFY(std::abs(s[0][0] + s[1][0] + s[2][0] - 1.0f) < 1e-5f);
  }

  void cancellationStopsInference() {
    const segmentation::ModelRunner runner((models_ / "point.pt").string());
    const VolumeF32 input = volume(models_ / "input_big.f32", {40, 30, 20});
    ProgressMonitor monitor;
    monitor.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, runner.predict(input, 2, &monitor));
  }

  void autoContourPipeline() {
    // A CT of water (0 HU) on a non-cubic grid of 2 x 2.5 x 4 mm with a bright box (500 HU,
    // 30 x 30 x 32 mm) and a small bright cube apart from it; the threshold model (above 200 HU
    // is Brainstem) runs on its 3 mm grid. The box comes back on the CT grid, the cube is
    // removed as a second component, SpinalCord is empty.
    const ImageGeometry g({40, 36, 20}, Vec3(-40, -45, -38), Vec3(2.0, 2.5, 4.0));
    VolumeI16 ct(g, 0);
    Mask box(g, 0);
    for (int k = 6; k < 14; ++k) {
      for (int j = 10; j < 22; ++j) {
        for (int i = 10; i < 25; ++i) {
          ct(i, j, k) = 500;
          box(i, j, k) = 1;
        }
      }
    }
    for (int k = 16; k < 18; ++k) {
      for (int j = 30; j < 33; ++j) {
        for (int i = 32; i < 35; ++i) {
          ct(i, j, k) = 500;
        }
      }
    }
    Image image{std::move(ct)};
    image.modality = "CT";
    const segmentation::ModelRunner runner((models_ / "threshold.pt").string());
    ProgressMonitor monitor;
    const std::vector<segmentation::LabelMask> masks =
        segmentation::autoContour(runner, image, &monitor);
    QCOMPARE(masks.size(), std::size_t{2});
    QCOMPARE(masks[0].label.name, std::string("Brainstem"));
    QCOMPARE(masks[0].mask.geometry().dims, g.dims);
    std::size_t both = 0;
    std::size_t found = 0;
    for (std::size_t n = 0; n < box.size(); ++n) {
      both += box[n] != 0 && masks[0].mask[n] != 0 ? 1 : 0;
      found += masks[0].mask[n] != 0 ? 1 : 0;
    }
    const double dice = 2.0 * both / (static_cast<double>(found) + 1440.0);
    qInfo("box through the 3 mm model grid and back: Dice %.4f (%zu voxels, 1440 drawn)", dice,
          found);
    QVERIFY(dice >= 0.9);
    QCOMPARE(masks[0].mask(33, 31, 16), std::uint8_t{0}); // the cube: a second component
    QCOMPARE(std::count(masks[1].mask.voxels().begin(), masks[1].mask.voxels().end(), 1), 0L);
    QCOMPARE(monitor.fraction(), 1.0);

    // An MR given to a CT model.
    image.modality = "MR";
    try {
      segmentation::autoContour(runner, image);
      QFAIL("an MR was contoured by a CT model");
    } catch (const InvalidArgumentError& e) {
      QVERIFY2(QString(e.what()).contains("contours CT images, not MR"), e.what());
    }
  }

  void resamplingKeepsTheBoxAndTheValues() {
    // 4 x 3 x 2 voxels of 3 x 2 x 5 mm onto 1 mm: the same box (12 x 6 x 10 voxels), a linear
    // ramp along x reproduced between the outermost centres.
    const ImageGeometry g({4, 3, 2}, Vec3(1.5, 1.0, 2.5), Vec3(3.0, 2.0, 5.0));
    VolumeF32 ramp(g, 0.0f);
    for (int k = 0; k < 2; ++k) {
      for (int j = 0; j < 3; ++j) {
        for (int i = 0; i < 4; ++i) {
          ramp(i, j, k) = static_cast<float>(10 * i);
        }
      }
    }
    const VolumeF32 fine = segmentation::resampleLinear(Image{std::move(ramp)}, Vec3(1, 1, 1));
    QCOMPARE(fine.dims(), (Index3{12, 6, 10}));
    QCOMPARE(fine.geometry().origin, Vec3(0.5, 0.5, 0.5));
    QCOMPARE(fine(0, 0, 0), 0.0f);         // x = 0.5 mm, before the first centre (1.5): clamped
    QCOMPARE(fine(4, 2, 3), 10.0f);        // x = 4.5 mm, the second centre
    QCOMPARE(fine(5, 1, 7), 40.0f / 3.0f); // x = 5.5 mm, a third of the way to the third
    QCOMPARE(fine(11, 5, 9), 30.0f);       // x = 11.5 mm, past the last centre (10.5): clamped
  }

  void tilingAndWeights() {
    QCOMPARE(segmentation::patchStarts(40, 16, 0.5), (std::vector<int>{0, 8, 16, 24}));
    QCOMPARE(segmentation::patchStarts(30, 12, 0.5), (std::vector<int>{0, 6, 12, 18}));
    QCOMPARE(segmentation::patchStarts(41, 16, 0.5), (std::vector<int>{0, 6, 13, 19, 25}));
    QCOMPARE(segmentation::patchStarts(16, 16, 0.5), (std::vector<int>{0}));
    QCOMPARE(segmentation::patchStarts(10, 16, 0.5), (std::vector<int>{0}));
    QCOMPARE(segmentation::patchStarts(17, 16, 0.0), (std::vector<int>{0, 1}));
    const std::vector<float> w = segmentation::gaussianImportance({8, 4, 2});
    QCOMPARE(w.size(), std::size_t{64});
    // Even sizes: the four (here 8) voxels around the centre share the largest weight, 1.
    QCOMPARE(*std::max_element(w.begin(), w.end()), 1.0f);
    QCOMPARE(w[(0 * 4 + 1) * 8 + 3], 1.0f);
    // A corner: exp(-0.5 (3.5 / 1)^2) * exp(-0.5 (1.5 / 0.5)^2) * 1 / peaks, floored at 1e-3.
    QCOMPARE(w[0], 1e-3f);
  }

  void badModelsAreRefused() {
    // A broken model file.
    const fs::path broken = models_ / "broken.pt";
    std::ofstream(broken) << "not a model";
    fs::copy_file(models_ / "conv.json", models_ / "broken.json");
    try {
      segmentation::ModelRunner r(broken.string());
      QFAIL("a broken model file was accepted");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).contains("broken.pt") &&
                   QString(e.what()).contains("not a TorchScript model"),
               e.what());
    }
    // A manifest that lies: three labels for a model with three output channels (softmax needs
    // four).
    std::ifstream in(models_ / "conv.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t at = text.find("\"SpinalCord\"");
    QVERIFY(at != std::string::npos);
    const std::size_t end = text.find('}', at);
    text.insert(end + 1, ", {\"value\": 3, \"name\": \"Parotid_L\", \"color\": [0, 0, 255]}");
    fs::copy_file(models_ / "conv.pt", models_ / "lying.pt");
    std::ofstream(models_ / "lying.json") << text;
    try {
      segmentation::ModelRunner r((models_ / "lying.pt").string());
      QFAIL("a manifest that disagrees with its model was accepted");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).contains("lying.json") &&
                   QString(e.what()).contains("need 4 output channels; the model gives 3"),
               e.what());
    }
    // A missing manifest.
    fs::copy_file(models_ / "conv.pt", models_ / "alone.pt");
    QVERIFY_THROWS_EXCEPTION(IoError, segmentation::ModelRunner((models_ / "alone.pt").string()));
  }
};

QTEST_APPLESS_MAIN(TestModelRunner)
#include "TestModelRunner.moc"
