// Core model: geometry transforms with literal numbers on non-cubic, unequally spaced and oblique
// grids; volumes; errors; progress and cancellation; the parallel loop.

#include "beamlet/core/Error.h"
#include "beamlet/core/Image.h"
#include "beamlet/core/ImageGeometry.h"
#include "beamlet/core/Parallel.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/core/Progress.h"

#include <QtTest/QtTest>

#include <atomic>
#include <cmath>

using namespace beamlet;

class TestCore : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void axialGeometryLiteral() {
    // 4 x 3 x 2 voxels of 0.5 x 0.8 x 2.5 mm, first voxel centre at (-10, 20, 30) mm.
    const ImageGeometry g({4, 3, 2}, Vec3(-10, 20, 30), Vec3(0.5, 0.8, 2.5));
    const Vec3 p = g.indexToPatient(Vec3(3, 2, 1));
    QCOMPARE(p.x(), -8.5);
    QCOMPARE(p.y(), 21.6);
    QCOMPARE(p.z(), 32.5);
    const Vec3 ijk = g.patientToIndex(Vec3(-9.75, 20.4, 31.25));
    QVERIFY(std::abs(ijk.x() - 0.5) < 1e-12);
    QVERIFY(std::abs(ijk.y() - 0.5) < 1e-12);
    QVERIFY(std::abs(ijk.z() - 0.5) < 1e-12);
    QCOMPARE(g.voxelCount(), std::size_t{24});
    QCOMPARE(g.linearIndex(3, 2, 1), std::size_t{23});
    QCOMPARE(g.linearIndex(1, 0, 1), std::size_t{13});
    QCOMPARE(g.voxelVolumeMm3(), 1.0);
    QVERIFY(g.isAxisAligned());
    QVERIFY(g.isValid());
  }

  void obliqueGeometryLiteral() {
    // Sagittal grid: i runs posterior (+y), j runs inferior (-z), k runs left (+x).
    Mat3 d;
    d << 0, 0, 1, //
        1, 0, 0,  //
        0, -1, 0;
    const ImageGeometry g({10, 20, 5}, Vec3(1, 2, 3), Vec3(1.0, 2.0, 3.0), d);
    const Vec3 p = g.indexToPatient(Vec3(2, 3, 4));
    QCOMPARE(p.x(), 13.0); // 1 + 4 * 3
    QCOMPARE(p.y(), 4.0);  // 2 + 2 * 1
    QCOMPARE(p.z(), -3.0); // 3 - 3 * 2
    const Vec3 back = g.patientToIndex(p);
    QVERIFY((back - Vec3(2, 3, 4)).norm() < 1e-12);
    QVERIFY(g.isAxisAligned());

    // 30 degrees about z: no longer axis aligned, transforms still invert each other.
    const double c = std::cos(M_PI / 6);
    const double s = std::sin(M_PI / 6);
    Mat3 r;
    r << c, -s, 0, //
        s, c, 0,   //
        0, 0, 1;
    const ImageGeometry o({8, 6, 4}, Vec3(0, 0, 0), Vec3(2, 1, 3), r);
    const Vec3 q = o.indexToPatient(Vec3(1, 2, 1));
    QVERIFY(std::abs(q.x() - (2 * c - 2 * s)) < 1e-12);
    QVERIFY(std::abs(q.y() - (2 * s + 2 * c)) < 1e-12);
    QCOMPARE(q.z(), 3.0);
    QVERIFY((o.patientToIndex(q) - Vec3(1, 2, 1)).norm() < 1e-12);
    QVERIFY(!o.isAxisAligned());
    const Eigen::Matrix4d m = o.indexToPatientMatrix();
    QVERIFY(((m * Eigen::Vector4d(1, 2, 1, 1)).head<3>() - q).norm() < 1e-12);
  }

  void invalidGeometry() {
    std::string why;
    QVERIFY(!ImageGeometry({0, 1, 1}, Vec3::Zero(), Vec3::Ones()).isValid(&why));
    QVERIFY(why.find("dimension") != std::string::npos);
    QVERIFY(!ImageGeometry({1, 1, 1}, Vec3::Zero(), Vec3(1, -1, 1)).isValid(&why));
    QVERIFY(why.find("spacing") != std::string::npos);
    Mat3 skew = Mat3::Identity();
    skew(0, 1) = 0.5;
    QVERIFY(!ImageGeometry({1, 1, 1}, Vec3::Zero(), Vec3::Ones(), skew).isValid(&why));
  }

  void sameGrid() {
    const ImageGeometry a({4, 3, 2}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    ImageGeometry b = a;
    b.origin.x() += 0.0005;
    QVERIFY(a.sameGrid(b, 1e-3));
    b.origin.x() += 0.01;
    QVERIFY(!a.sameGrid(b, 1e-3));
    QCOMPARE(QString::fromStdString(a.describe()), QString("4x3x2 voxels, 1x1x1 mm"));
  }

  void volumeIndexing() {
    const ImageGeometry g({3, 2, 2}, Vec3::Zero(), Vec3::Ones());
    VolumeI16 v(g, 7);
    v(2, 1, 1) = -5;
    QCOMPARE(v[11], std::int16_t{-5});
    QCOMPARE(v.slice(1)[5], std::int16_t{-5});
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, VolumeI16(g, std::vector<std::int16_t>(5)));
    Image image(std::move(v));
    QCOMPARE(image.voxelType(), VoxelType::Int16);
    QCOMPARE(image.range().first, -5.0);
    QCOMPARE(image.range().second, 7.0);
    QCOMPARE(image.toFloat()[11], -5.0f);
    QCOMPARE(image.valueAt(0), 7.0);
  }

  void demoPhantom() {
    const Image ct = makeDemoCtPhantom();
    const ImageGeometry& g = ct.geometry();
    QCOMPARE(g.dims[0], 160);
    QCOMPARE(g.dims[1], 128);
    QCOMPARE(g.dims[2], 60);
    QCOMPARE(g.origin.x(), -198.75);
    QCOMPARE(g.origin.z(), -88.5);
    // Centre voxel is water, a corner is air, the ring at x = +165 mm is bone.
    const auto& v = ct.as<std::int16_t>();
    QCOMPARE(v(80, 64, 30), std::int16_t{0});
    QCOMPARE(v(0, 0, 0), std::int16_t{-1000});
    const Vec3 bone = g.patientToIndex(Vec3(165, 0, 0));
    QCOMPARE(
        v(static_cast<int>(std::lround(bone.x())), static_cast<int>(std::lround(bone.y())), 30),
        std::int16_t{700});
    QCOMPARE(ct.units, std::string("HU"));
  }

  void errorsAreOneLine() {
    const Error e("a\nb\r\n");
    QCOMPARE(QString(e.what()), QString("a b"));
    QCOMPARE(QString::fromStdString(withContext("f.dcm", "broken")), QString("f.dcm: broken"));
    QCOMPARE(QString::fromStdString(withContext("", "broken")), QString("broken"));
    try {
      throw GeometryError("x");
    } catch (const DataError&) {
    }
  }

  void progressScopes() {
    std::vector<double> seen;
    ProgressMonitor monitor([&](double f, const std::string&) { seen.push_back(f); });
    {
      ProgressScope outer(&monitor, 0.0, 1.0, "outer");
      ProgressScope inner(outer, 0.5, 1.0, "inner");
      inner.report(0.5);
      QCOMPARE(monitor.fraction(), 0.75);
      inner.step(1, 4);
      QCOMPARE(monitor.fraction(), 0.75); // never goes backwards
    }
    QCOMPARE(monitor.fraction(), 1.0);
    QVERIFY(!seen.empty());
    ProgressScope none(nullptr, 0, 1, "no monitor");
    none.report(0.5);
    none.throwIfCancelled();
  }

  void nestedCallsReportInTheirScopesRange() {
    // A function given scope.monitor() reports its own 0..1; the caller's monitor sees it mapped
    // onto the scope's range, and a cancel on the caller reaches the nested call.
    std::vector<std::pair<double, std::string>> seen;
    ProgressMonitor monitor([&](double f, const std::string& s) { seen.emplace_back(f, s); });
    ProgressScope outer(&monitor, 0.0, 1.0, "plan");
    const ProgressScope dij(outer, 0.2, 0.6, "dij");
    ProgressMonitor* nested = dij.monitor();
    QVERIFY(nested != nullptr);
    nested->report(0.5, "beam 3");
    QCOMPARE(monitor.fraction(), 0.4);
    QCOMPARE(seen.back().second, std::string("beam 3"));
    nested->report(1.0, "beam 9");
    QCOMPARE(monitor.fraction(), 0.6);
    QVERIFY(!nested->isCancelled());
    monitor.cancel();
    QVERIFY(nested->isCancelled());
    QVERIFY_THROWS_EXCEPTION(CancelledError, nested->throwIfCancelled());
    QVERIFY(ProgressScope(nullptr, 0, 1, "none").monitor() == nullptr);
  }

  void cancellation() {
    ProgressMonitor monitor;
    std::atomic<int> processed{0};
    QVERIFY_THROWS_EXCEPTION(CancelledError, parallelFor(1000, [&](std::size_t n) {
                               if (n == 10) {
                                 monitor.cancel();
                               }
                               monitor.throwIfCancelled();
                               ++processed;
                             }));
    QVERIFY(processed.load() < 1000);
  }

  void parallelForRunsEverythingAndReportsLowestError() {
    std::vector<int> hits(500, 0);
    parallelFor(
        hits.size(), [&](std::size_t n) { hits[n] += 1; }, 4);
    QCOMPARE(std::count(hits.begin(), hits.end(), 1), 500L);
    try {
      parallelFor(
          100,
          [](std::size_t n) {
            if (n == 3 || n == 50) {
              throw DataError("item " + std::to_string(n));
            }
          },
          1);
      QFAIL("no exception");
    } catch (const DataError& e) {
      QCOMPARE(QString(e.what()), QString("item 3"));
    }
  }
};

QTEST_APPLESS_MAIN(TestCore)
#include "TestCore.moc"
