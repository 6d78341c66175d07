// Leaf sequencing (Xia & Verhey 1998, doi:10.1118/1.598310): hand-made maps with literal segment
// counts and MU, segments adding up to the quantised map, the min-MU rules, leaf reach, gaps and
// jaws in every segment, and the step-and-shoot beam: recomputed by dose::segmentFluence, and
// written to and read back from an RT Plan unchanged.

#include "PlanCompare.h"
#include "PlanFixtures.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/LeafSequencer.h"
#include "beamlet/dose/PlanFluence.h"

#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;
using namespace beamlet;
using namespace beamlet::dose;

namespace {

FluenceMap makeMap(double x0, double y0, double width, int nx, int ny,
                   std::vector<double> weights) {
  FluenceMap m;
  m.x0 = x0;
  m.y0 = y0;
  m.widthMm = width;
  m.nx = nx;
  m.ny = ny;
  m.weights = std::move(weights);
  return m;
}

// A modulated map: two Gaussian blobs, a notch and some noise, maximum about 1.15, placed relative
// to the map's centre.
FluenceMap smoothMap(double x0, double y0, double width, int nx, int ny, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(0.0, 0.15);
  FluenceMap m = makeMap(x0, y0, width, nx, ny, {});
  m.weights.resize(static_cast<std::size_t>(nx) * ny);
  const double cx = x0 + 0.5 * (nx - 1) * width;
  const double cy = y0 + 0.5 * (ny - 1) * width;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const double x = x0 + i * width - cx;
      const double y = y0 + j * width - cy;
      double v = std::exp(-((x - 10) * (x - 10) / 500.0 + y * y / 300.0)) +
                 0.6 * std::exp(-((x + 25) * (x + 25) / 150.0 + (y - 15) * (y - 15) / 200.0));
      if (std::abs(x) < 6.0 && y > 5.0) {
        v *= 0.3;
      }
      m.at(i, j) = v + noise(rng);
    }
  }
  return m;
}

// An integer-valued map (0..10) times `step`: exactly quantisable with 10 levels.
FluenceMap integerMap(double x0, double y0, double width, int nx, int ny, double step) {
  FluenceMap m = makeMap(x0, y0, width, nx, ny, {});
  m.weights.resize(static_cast<std::size_t>(nx) * ny);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const double x = x0 + i * width;
      const double y = y0 + j * width;
      double v = std::round(10.0 * std::exp(-((x - 5) * (x - 5) / 400.0 + y * y / 300.0)));
      if (std::abs(x) <= 5.0 && y >= 10.0) {
        v = std::round(v / 3.0);
      }
      m.at(i, j) = v * step;
    }
  }
  m.at(nx / 2 + 1, ny / 2) = 10.0 * step; // the maximum is 10 steps
  return m;
}

MlcModel noMinMu(MlcModel mlc) {
  mlc.minMuPerSegment = 0.0;
  return mlc;
}

// The map's maximum.
double maxOf(const FluenceMap& m) {
  return *std::max_element(m.weights.begin(), m.weights.end());
}

// MU x mm^2 of `f` over the square of width w centred at (cx, cy) (cells lie on its edges).
double integrate(const FluenceGrid& f, double cx, double cy, double w) {
  const double c = f.cellMm;
  const long i0 = std::max(0L, std::lround((cx - 0.5 * w - f.x0) / c));
  const long i1 = std::min(static_cast<long>(f.size), std::lround((cx + 0.5 * w - f.x0) / c));
  const long j0 = std::max(0L, std::lround((cy - 0.5 * w - f.y0) / c));
  const long j1 = std::min(static_cast<long>(f.size), std::lround((cy + 0.5 * w - f.y0) / c));
  double sum = 0.0;
  for (long j = j0; j < j1; ++j) {
    for (long i = i0; i < i1; ++i) {
      sum += f.values[static_cast<std::size_t>(j) * f.size + i];
    }
  }
  return sum * c * c;
}

BeamSetup setup(const std::string& name, double gantry, double collimator = 0.0) {
  return BeamSetup{name, BeamAngles{gantry, collimator, 0.0}, test::kIsocenter};
}

// The pair of `mlc` whose lower boundary is `y`.
int pairAt(const MlcModel& mlc, double y) {
  for (int n = 0; n < mlc.leafPairs(); ++n) {
    if (std::abs(mlc.leafBoundaries[n] - y) < 1e-9) {
      return n;
    }
  }
  return -1;
}

#define NEAR(a, b, tol)                                                                            \
  QVERIFY2(std::abs((a) - (b)) <= (tol),                                                           \
           qPrintable(QString("%1 = %2, expected %3").arg(#a).arg(a, 0, 'g', 12).arg(b)))

} // namespace

class TestLeafSequencer : public QObject {
  Q_OBJECT

  // Segment levels summed over each segment's open columns: the quantised level matrix exactly.
  static void checkSegmentsAddUp(const SequencedBeam& s) {
    std::vector<int> sum(s.levelMatrix.size(), 0);
    for (const Segment& seg : s.segments) {
      for (int k = 0; k < s.pairCount; ++k) {
        const LeafPairOpening& o = seg.pairs[s.firstPair + k];
        for (int t = o.open ? o.first : 0; o.open && t < o.last; ++t) {
          sum[static_cast<std::size_t>(k) * s.columns + t] += seg.levels;
        }
      }
    }
    QCOMPARE(sum, s.levelMatrix);
  }

  // What a beam's segments deliver, recomputed by PlanFluence, bixel by bixel against `want` (MU
  // per bixel): within 1% of the bixel's MU (and of 1e-6 of the maximum for empty bixels).
  static void checkSegmentFluence(const Beam& beam, const FluenceMap& want) {
    const FluenceGrid f = segmentFluence(beam, 0.5);
    const double w = want.widthMm;
    const double top = maxOf(want) * w * w;
    double total = 0.0;
    double wantTotal = 0.0;
    for (int j = 0; j < want.ny; ++j) {
      for (int i = 0; i < want.nx; ++i) {
        const double got = integrate(f, want.x0 + i * w, want.y0 + j * w, w);
        const double expected = want.at(i, j) * w * w;
        NEAR(got, expected, 0.01 * expected + 1e-6 * top);
        total += got;
        wantTotal += expected;
      }
    }
    // Nothing delivered outside the map.
    double all = 0.0;
    for (float v : f.values) {
      all += v;
    }
    NEAR(all * f.cellMm * f.cellMm, wantTotal, 1e-5 * wantTotal);
    NEAR(total, wantTotal, 1e-5 * wantTotal);
  }

private Q_SLOTS:
  void mlcModels() {
    const MlcModel m = millennium120();
    QCOMPARE(m.leafPairs(), 60);
    QCOMPARE(m.leafBoundaries.front(), -200.0);
    QCOMPARE(m.leafBoundaries[10], -100.0);
    QCOMPARE(m.leafBoundaries[50], 100.0);
    QCOMPARE(m.leafBoundaries.back(), 200.0);
    QCOMPARE(m.deviceType, std::string("MLCX"));
    const MlcModel u = uniformMlc(5.0, 40);
    QCOMPARE(u.leafPairs(), 40);
    QCOMPARE(u.leafBoundaries.front(), -100.0);
    QCOMPARE(u.leafBoundaries[20], 0.0);
    QCOMPARE(u.leafBoundaries.back(), 100.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, uniformMlc(0.0, 10));
  }

  void mapFromBixels() {
    std::vector<Bixel> bixels;
    std::vector<double> weights;
    for (int beam = 0; beam < 2; ++beam) {
      for (int j = -1; j <= 1; ++j) {
        for (int i = -2; i <= 2; ++i) {
          if (beam == 1 && i == 2 && j == 1) {
            continue; // a missing corner
          }
          bixels.push_back(Bixel{beam, 5.0 * i, 5.0 * j, 5.0, 0.0});
          weights.push_back(100.0 * beam + 10.0 * (j + 1) + (i + 2));
        }
      }
    }
    const FluenceMap m = fluenceMapFromBixels(bixels, weights, 1);
    QCOMPARE(m.nx, 5);
    QCOMPARE(m.ny, 3);
    QCOMPARE(m.x0, -10.0);
    QCOMPARE(m.y0, -5.0);
    QCOMPARE(m.widthMm, 5.0);
    QCOMPARE(m.at(0, 0), 100.0);
    QCOMPARE(m.at(3, 2), 123.0);
    QCOMPARE(m.at(4, 2), 0.0);
    // Back into the weight vector: beam 1 changes, beam 0 stays.
    FluenceMap doubled = m;
    for (double& v : doubled.weights) {
      v *= 2.0;
    }
    std::vector<double> back = weights;
    setBixelWeights(doubled, bixels, 1, back);
    for (std::size_t n = 0; n < bixels.size(); ++n) {
      QCOMPARE(back[n], bixels[n].beam == 1 ? 2.0 * weights[n] : weights[n]);
    }
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, fluenceMapFromBixels(bixels, weights, 2));
    std::vector<Bixel> twice = bixels;
    twice.push_back(bixels.back());
    std::vector<double> w2 = weights;
    w2.push_back(1.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, fluenceMapFromBixels(twice, w2, 1));
    std::vector<Bixel> off = bixels;
    off.back().xMm += 1.0;
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, fluenceMapFromBixels(off, weights, 1));
    std::vector<Bixel> mixed = bixels;
    mixed.back().widthMm = 10.0;
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, fluenceMapFromBixels(mixed, weights, 1));
  }

  // (a) The 1-D profile [1, 2, 3, 2, 1]: three nested segments of 1 MU each.
  void profileGivesThreeSegments() {
    const MlcModel mlc = noMinMu(uniformMlc(5.0, 40));
    SequencingOptions o;
    o.levels = 3;
    const SequencedBeam s = sequenceLeaves(makeMap(-10.0, 2.5, 5.0, 5, 1, {1, 2, 3, 2, 1}), mlc, o);
    QCOMPARE(s.segments.size(), std::size_t(3));
    QCOMPARE(s.decompositionSegments, 3);
    NEAR(s.totalMu, 3.0, 1e-12);
    NEAR(s.muPerLevel, 1.0, 1e-12);
    QCOMPARE(s.maxLevel, 3);
    const int pair = pairAt(mlc, 0.0);
    QCOMPARE(s.firstPair, pair);
    QCOMPARE(s.pairCount, 1);
    const double left[] = {-12.5, -7.5, -2.5};
    for (int k = 0; k < 3; ++k) {
      const Segment& seg = s.segments[k];
      QCOMPARE(seg.levels, 1);
      NEAR(seg.mu, 1.0, 1e-12);
      QVERIFY(seg.pairs[pair].open);
      NEAR(seg.pairs[pair].left, left[k], 1e-12);
      NEAR(seg.pairs[pair].right, -left[k], 1e-12);
      NEAR(seg.jawX[0], left[k], 1e-12);
      NEAR(seg.jawX[1], -left[k], 1e-12);
      NEAR(seg.jawY[0], 0.0, 1e-12);
      NEAR(seg.jawY[1], 5.0, 1e-12);
      // Closed pairs parked with the minimum gap just outside the widest opening.
      NEAR(seg.pairs[pair + 1].left, -13.0, 1e-12);
      NEAR(seg.pairs[pair + 1].right, -12.5, 1e-12);
      QVERIFY(!seg.pairs[pair + 1].open);
    }
    NEAR(s.fluenceErrorRms, 0.0, 1e-12);
    NEAR(s.quantisationErrorRms, 0.0, 1e-12);
    // Two transitions of 5 mm at 25 mm/s, 3 MU at 600 MU/min.
    NEAR(s.leafTravelSeconds, 0.4, 1e-12);
    NEAR(s.beamOnSeconds, 0.3, 1e-12);
    NEAR(s.deliveryTimeSeconds, 0.7, 1e-12);
    checkSegmentsAddUp(s);
  }

  // (a) An open field: five reducing-level iterations of one shape (4 + 2 + 2 + 1 + 1 levels),
  // merged into one segment.
  void openFieldIsOneSegment() {
    const SequencedBeam s = sequenceLeaves(
        makeMap(-7.5, -7.5, 5.0, 4, 4, std::vector<double>(16, 7.0)), millennium120());
    QCOMPARE(s.decompositionSegments, 5);
    QCOMPARE(s.segments.size(), std::size_t(1));
    QCOMPARE(s.segments[0].levels, 10);
    NEAR(s.totalMu, 7.0, 1e-9);
    NEAR(s.segments[0].jawX[0], -10.0, 1e-12);
    NEAR(s.segments[0].jawX[1], 10.0, 1e-12);
    NEAR(s.segments[0].jawY[0], -10.0, 1e-12);
    NEAR(s.segments[0].jawY[1], 10.0, 1e-12);
    NEAR(s.fluenceErrorRms, 0.0, 1e-12);
    NEAR(s.leafTravelSeconds, 0.0, 1e-12);
  }

  // (a) Two leaf rows [2 4 1] and [4 4 4]: d = 2, then 1, then 1 (three different shapes).
  void twoRowsByHand() {
    const MlcModel mlc = noMinMu(uniformMlc(5.0, 40));
    SequencingOptions o;
    o.levels = 4;
    const SequencedBeam s =
        sequenceLeaves(makeMap(0.0, 2.5, 5.0, 3, 2, {2, 4, 1, 4, 4, 4}), mlc, o);
    QCOMPARE(s.segments.size(), std::size_t(3));
    NEAR(s.totalMu, 4.0, 1e-12);
    const int p = s.firstPair;
    const int levels[] = {2, 1, 1};
    const int first0[] = {0, 1, 1};
    const int last0[] = {2, 3, 2};
    for (int k = 0; k < 3; ++k) {
      const Segment& seg = s.segments[k];
      QCOMPARE(seg.levels, levels[k]);
      QCOMPARE(seg.pairs[p].first, first0[k]);
      QCOMPARE(seg.pairs[p].last, last0[k]);
      QCOMPARE(seg.pairs[p + 1].first, 0);
      QCOMPARE(seg.pairs[p + 1].last, 3);
    }
    checkSegmentsAddUp(s);
  }

  // (a) Two separate peaks in one row: one leaf pair opens one run at a time, so reducing levels
  // alternate between them (6 iterations) and merging leaves two segments of 3 levels (MU step 2).
  void separatePeaksMerge() {
    SequencingOptions o;
    o.muStep = 2.0;
    const SequencedBeam s =
        sequenceLeaves(makeMap(0.0, 2.5, 5.0, 3, 1, {6, 0, 6}), noMinMu(uniformMlc(5.0, 40)), o);
    QCOMPARE(s.decompositionSegments, 6);
    QCOMPARE(s.segments.size(), std::size_t(2));
    QCOMPARE(s.segments[0].levels, 3);
    QCOMPARE(s.segments[1].levels, 3);
    NEAR(s.segments[0].mu, 6.0, 1e-12);
    NEAR(s.totalMu, 12.0, 1e-12);
    NEAR(s.leafTravelSeconds, 10.0 / 25.0, 1e-12);
    NEAR(s.fluenceErrorRms, 0.0, 1e-12);
  }

  // (b) Segments add up to the quantised map: exactly in levels, and in MU on the bixel grid
  // (segments rasterised by area) for aligned, offset, wider and narrower leaves and MLCY.
  void segmentsAddUpToQuantisedMap() {
    struct Case {
      const char* what;
      MlcModel mlc;
      FluenceMap map;
    };
    MlcModel mlcy = noMinMu(uniformMlc(5.0, 41));
    mlcy.deviceType = "MLCY";
    const std::vector<Case> cases{
        {"aligned 5 mm", noMinMu(millennium120()), smoothMap(-40, -27.5, 5, 17, 12, 1)},
        {"offset 5 mm", noMinMu(millennium120()), smoothMap(-40, -30, 5, 17, 13, 2)},
        {"10 mm bixels", noMinMu(millennium120()), smoothMap(-40, -30, 10, 9, 7, 3)},
        {"10 mm leaves", noMinMu(millennium120()), smoothMap(-40, 97.5, 5, 17, 8, 4)},
        {"2.5 mm leaves", noMinMu(uniformMlc(2.5, 80)), smoothMap(-40, -27.5, 5, 17, 12, 5)},
        {"MLCY", mlcy, smoothMap(-30, -40, 5, 12, 17, 6)},
    };
    for (const Case& c : cases) {
      qInfo("%s", c.what);
      const SequencedBeam s = sequenceLeaves(c.map, c.mlc);
      QVERIFY(!s.segments.empty());
      checkSegmentsAddUp(s);
      if (QTest::currentTestFailed()) {
        return;
      }
      const FluenceMap raster = rasteriseSegments(s.segments, c.mlc, s.quantised);
      const double top = maxOf(s.quantised);
      QCOMPARE(raster.weights.size(), s.quantised.weights.size());
      for (std::size_t n = 0; n < raster.weights.size(); ++n) {
        NEAR(raster.weights[n], s.quantised.weights[n], 1e-9 * top);
        NEAR(s.deliverable.weights[n], s.quantised.weights[n], 1e-9 * top);
      }
      NEAR(s.fluenceErrorRms, s.quantisationErrorRms, 1e-12);
      QVERIFY(s.quantisationErrorRms < 0.1);
      qInfo("  %zu segments (%d iterations), %.2f MU, RMS error mapping %.4f quantised %.4f, "
            "%.1f s",
            s.segments.size(), s.decompositionSegments, s.totalMu, s.mappingErrorRms,
            s.quantisationErrorRms, s.deliveryTimeSeconds);
    }
    // Aligned leaves: the quantised map is the map rounded to levels, bixel by bixel.
    const FluenceMap map = smoothMap(-40, -27.5, 5, 17, 12, 1);
    const SequencedBeam s = sequenceLeaves(map, noMinMu(millennium120()));
    QCOMPARE(s.quantised.ny, map.ny);
    QCOMPARE(s.quantised.y0, map.y0);
    NEAR(s.mappingErrorRms, 0.0, 1e-12);
    const double step = maxOf(map) / 10.0;
    for (std::size_t n = 0; n < map.weights.size(); ++n) {
      NEAR(s.quantised.weights[n], std::round(map.weights[n] / step) * step, 1e-9);
    }
    // Rounding to 10 levels is off by at most half a level.
    QVERIFY(s.quantisationErrorRms > 0.0 && s.quantisationErrorRms <= 0.05);
  }

  // (c) Minimum MU: [4 5 6 5 4] at 1 MU per level is 4 MU open, 1 MU over the middle three and
  // 1 MU in the centre; the rules raise or drop the two 1 MU segments.
  void minimumMuRules() {
    struct Case {
      MinMuRule rule;
      double minMu;
      std::size_t segments;
      double totalMu;
      double errorRms; // relative to the maximum, 6 MU
    };
    const double raisedTo2 = std::sqrt((1.0 + 4.0 + 1.0) / 5.0) / 6.0;  // [4 6 8 6 4]
    const double raisedTo3 = std::sqrt((4.0 + 16.0 + 4.0) / 5.0) / 6.0; // [4 7 10 7 4]
    const double dropped = std::sqrt((1.0 + 4.0 + 1.0) / 5.0) / 6.0;    // [4 4 4 4 4]
    const std::vector<Case> cases{
        {MinMuRule::Nearest, 0.0, 3, 6.0, 0.0},       {MinMuRule::Nearest, 1.0, 3, 6.0, 0.0},
        {MinMuRule::Nearest, 2.0, 3, 8.0, raisedTo2}, {MinMuRule::Nearest, 3.0, 1, 4.0, dropped},
        {MinMuRule::Raise, 3.0, 3, 10.0, raisedTo3},  {MinMuRule::Drop, 2.0, 1, 4.0, dropped},
    };
    for (const Case& c : cases) {
      MlcModel mlc = uniformMlc(5.0, 40);
      mlc.minMuPerSegment = c.minMu;
      SequencingOptions o;
      o.levels = 6;
      o.minMuRule = c.rule;
      const SequencedBeam s =
          sequenceLeaves(makeMap(-10.0, 2.5, 5.0, 5, 1, {4, 5, 6, 5, 4}), mlc, o);
      QCOMPARE(s.segments.size(), c.segments);
      NEAR(s.totalMu, c.totalMu, 1e-12);
      NEAR(s.quantisationErrorRms, 0.0, 1e-12);
      NEAR(s.fluenceErrorRms, c.errorRms, 1e-12);
      QCOMPARE(s.droppedSegments + s.raisedSegments, c.errorRms > 0.0 ? 2 : 0);
      for (const Segment& seg : s.segments) {
        QVERIFY(seg.mu >= c.minMu - 1e-12);
      }
    }
  }

  // (c) Every segment of modulated maps respects the MLC: minimum MU, leaf reach, minimum gap,
  // open leaves inside the jaws, closed pairs parked behind a jaw.
  void constraintsInEverySegment() {
    struct Case {
      const char* what;
      double maxLeaf;
      FluenceMap map;
      bool parkHigh;
    };
    const std::vector<Case> cases{
        {"millennium", 200.0, smoothMap(-40, -27.5, 5, 17, 12, 7), false},
        {"reach 50 mm", 50.0, smoothMap(-42.5, -27.5, 5, 19, 12, 8), false},
        {"parked on the bank-2 side", 50.0, smoothMap(-47.5, -27.5, 5, 10, 12, 9), true},
    };
    for (const Case& c : cases) {
      qInfo("%s", c.what);
      MlcModel mlc = millennium120();
      mlc.maxLeafPositionMm = c.maxLeaf;
      mlc.minGapMm = 1.0;
      SequencingOptions o;
      o.muPerUnit = 12.0; // a peak of about 14 MU, levels of about 1.4 MU: one level is < 2 MU
      o.jawMarginMm = 2.0;
      FluenceMap map = c.map;
      if (c.maxLeaf < 200.0) {
        // Fluence up to the leaves' reach (x = -50 mm), with a zero row so that pairs close.
        for (int i = 0; i < map.nx; ++i) {
          map.at(i, 0) = 0.0;
          map.at(i, 1) = 0.8;
        }
      }
      const SequencedBeam s = sequenceLeaves(map, mlc, o);
      qInfo("  %zu segments, %.1f MU, %d dropped, %d raised, RMS error %.4f -> %.4f, %.1f s",
            s.segments.size(), s.totalMu, s.droppedSegments, s.raisedSegments,
            s.quantisationErrorRms, s.fluenceErrorRms, s.deliveryTimeSeconds);
      QVERIFY(s.segments.size() > 3);
      QVERIFY(s.raisedSegments > 0);
      QVERIFY(s.fluenceErrorRms > s.quantisationErrorRms);
      bool closedInField = false;
      bool closedOnBank2Side = false;
      for (const Segment& seg : s.segments) {
        QVERIFY(seg.mu >= mlc.minMuPerSegment - 1e-12);
        double openLeft = 1e9;
        double openRight = -1e9;
        for (const LeafPairOpening& p : seg.pairs) {
          if (p.open) {
            openLeft = std::min(openLeft, p.left);
            openRight = std::max(openRight, p.right);
          }
        }
        // Jaws at most the margin (2 mm) beyond the open leaves.
        QVERIFY(seg.jawX[0] >= openLeft - 2.0 - 1e-9 && seg.jawX[0] <= openLeft + 1e-9);
        QVERIFY(seg.jawX[1] <= openRight + 2.0 + 1e-9 && seg.jawX[1] >= openRight - 1e-9);
        QVERIFY(seg.jawX[0] < seg.jawX[1] && seg.jawY[0] < seg.jawY[1]);
        for (int n = 0; n < mlc.leafPairs(); ++n) {
          const LeafPairOpening& p = seg.pairs[n];
          QVERIFY(std::abs(p.left) <= c.maxLeaf + 1e-9 && std::abs(p.right) <= c.maxLeaf + 1e-9);
          QVERIFY(p.right - p.left >= mlc.minGapMm - 1e-9);
          if (p.open) {
            QVERIFY(p.left >= seg.jawX[0] - 1e-9 && p.right <= seg.jawX[1] + 1e-9);
            QVERIFY(mlc.leafBoundaries[n] >= seg.jawY[0] - 1e-9 &&
                    mlc.leafBoundaries[n + 1] <= seg.jawY[1] + 1e-9);
          } else {
            // Closed: a gap of minGap behind the Y jaws or behind an X jaw.
            QVERIFY(std::abs(p.right - p.left - mlc.minGapMm) < 1e-9);
            const bool behindY = mlc.leafBoundaries[n + 1] <= seg.jawY[0] + 1e-9 ||
                                 mlc.leafBoundaries[n] >= seg.jawY[1] - 1e-9;
            const bool behindX1 = p.right <= seg.jawX[0] + 1e-9;
            const bool behindX2 = p.left >= seg.jawX[1] - 1e-9;
            QVERIFY(behindY || behindX1 || behindX2);
            closedInField |= !behindY;
            closedOnBank2Side |= !behindY && behindX2 && seg.jawX[0] <= -c.maxLeaf + 1e-9;
          }
        }
      }
      QVERIFY(closedInField);
      if (c.parkHigh) {
        // Segments whose leaves open at -50 mm leave no room behind X1: closed pairs in the
        // field wait behind X2.
        QVERIFY(closedOnBank2Side);
      }
    }
  }

  void undeliverableMapsAreRefused() {
    const MlcModel m120 = millennium120();
    const FluenceMap ok = smoothMap(-20, -17.5, 5, 9, 8, 10);
    // 7 mm leaves with 5 mm bixels.
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, sequenceLeaves(ok, uniformMlc(7.0, 40)));
    // Bixels narrower than the minimum gap.
    MlcModel wideGap = uniformMlc(0.4, 100);
    wideGap.minGapMm = 0.5;
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             sequenceLeaves(smoothMap(-2, -2, 0.4, 5, 5, 11), wideGap));
    // Negative and non-finite weights.
    FluenceMap bad = ok;
    bad.at(2, 2) = -1.0;
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, sequenceLeaves(bad, m120));
    bad.at(2, 2) = std::nan("");
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, sequenceLeaves(bad, m120));
    // Fluence beyond the leaves' reach (x up to 55 mm with leaves within +-50 mm) ...
    MlcModel short50 = m120;
    short50.maxLeafPositionMm = 50.0;
    FluenceMap far = makeMap(37.5, 2.5, 5, 4, 1, {1, 1, 1, 1});
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, sequenceLeaves(far, short50));
    // ... unless it rounds to nothing: then it is left out and counts as error.
    far.weights = {1, 1, 1, 0.01};
    const SequencedBeam s = sequenceLeaves(far, short50);
    QCOMPARE(s.segments.size(), std::size_t(1));
    NEAR(s.segments[0].pairs[pairAt(short50, 0.0)].right, 50.0, 1e-12);
    QVERIFY(s.fluenceErrorRms > 0.0);
    // Fluence beyond the outer leaves (y up to 210 mm).
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             sequenceLeaves(makeMap(0, 192.5, 5, 2, 3, {1, 1, 1, 1, 1, 1}), m120));
    // Leaves open over their whole travel: closed pairs behind the Y jaws are fine ...
    FluenceMap wide = makeMap(-47.5, 2.5, 5, 20, 3, std::vector<double>(60, 0.0));
    for (int i = 0; i < 20; ++i) {
      wide.at(i, 0) = 3.0;
    }
    const SequencedBeam w1 = sequenceLeaves(wide, short50);
    QCOMPARE(w1.segments.size(), std::size_t(1));
    NEAR(w1.segments[0].jawX[0], -50.0, 1e-12);
    NEAR(w1.segments[0].jawX[1], 50.0, 1e-12);
    NEAR(w1.segments[0].jawY[1], 5.0, 1e-12);
    // ... but a closed pair between open ones has nowhere to hide.
    for (int i = 0; i < 20; ++i) {
      wide.at(i, 2) = 3.0;
    }
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, sequenceLeaves(wide, short50));
    // An empty map has no segments and makes no beam.
    const SequencedBeam none =
        sequenceLeaves(makeMap(0, 2.5, 5, 2, 2, std::vector<double>(4, 0.0)), m120);
    QVERIFY(none.segments.empty());
    QCOMPARE(none.totalMu, 0.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             toStepAndShootBeam(none, m120, setup("empty", 0.0)));
  }

  // (d) The step-and-shoot beam recomputed by dose::segmentFluence gives back the map's MU per
  // bixel (exactly quantisable maps) or the deliverable map (offset leaves, MLCY).
  void roundTripThroughSegmentFluence() {
    MlcModel mlc = millennium120();
    mlc.minMuPerSegment = 1.5;
    const FluenceMap map = integerMap(-30, -27.5, 5, 13, 12, 1.5);
    const SequencedBeam s = sequenceLeaves(map, mlc);
    NEAR(s.fluenceErrorRms, 0.0, 1e-12);
    const Beam beam = toStepAndShootBeam(s, mlc, setup("G0", 0.0));
    QCOMPARE(beam.segmentCount(), static_cast<int>(s.segments.size()));
    QCOMPARE(beam.controlPoints.size(), 2 * s.segments.size());
    NEAR(*beam.monitorUnits, s.totalMu, 1e-12);
    checkSegmentFluence(beam, map);
    qInfo("integer map: %zu segments, %.2f MU", s.segments.size(), s.totalMu);

    // 10 mm bixels over pairs of 5 mm leaves.
    const FluenceMap coarse = integerMap(-30, -30, 10, 7, 7, 2.0);
    const SequencedBeam sc = sequenceLeaves(coarse, mlc);
    NEAR(sc.fluenceErrorRms, 0.0, 1e-12);
    checkSegmentFluence(toStepAndShootBeam(sc, mlc, setup("G40", 40.0)), coarse);

    // Bixel rows offset by half a leaf: what PlanFluence computes is the deliverable map.
    SequencingOptions o;
    o.muPerUnit = 60.0;
    const SequencedBeam so = sequenceLeaves(smoothMap(-40, -30, 5, 17, 13, 12), mlc, o);
    QVERIFY(so.fluenceErrorRms > 0.0);
    QVERIFY(!so.notes.empty());
    FluenceMap deliverableMu = so.deliverable; // map units x MU per unit
    for (double& v : deliverableMu.weights) {
      v *= o.muPerUnit;
    }
    checkSegmentFluence(toStepAndShootBeam(so, mlc, setup("G80", 80.0)), deliverableMu);

    // MLCY: leaves along Y_b.
    MlcModel mlcy = uniformMlc(5.0, 41);
    mlcy.deviceType = "MLCY";
    mlcy.minMuPerSegment = 0.0;
    const SequencedBeam sy = sequenceLeaves(smoothMap(-27.5, -40, 5, 12, 17, 13), mlcy);
    const Beam beamY = toStepAndShootBeam(sy, mlcy, setup("MLCY", 0.0));
    QCOMPARE(beamY.mlcType, std::string("MLCY"));
    checkSegmentFluence(beamY, sy.deliverable);
  }

  // (e) Beams from toStepAndShootBeam written with dicom::writeRtPlan and read back unchanged.
  void writtenAndReadBack() {
    MlcModel mlc = millennium120();
    mlc.minMuPerSegment = 1.5;
    SequencingOptions o;
    o.muPerUnit = 60.0;
    o.jawMarginMm = 1.0;
    std::vector<Beam> beams;
    const double gantries[] = {0.0, 72.0, 144.0, -144.0, -72.0};
    for (int n = 0; n < 5; ++n) {
      const SequencedBeam s = sequenceLeaves(smoothMap(-40, -27.5, 5, 17, 12, 20 + n), mlc, o);
      StepAndShootOptions so;
      so.beamNumber = n + 1;
      beams.push_back(toStepAndShootBeam(
          s, mlc, setup("IMRT " + std::to_string(n + 1), gantries[n], n == 2 ? -10.0 : 0.0), so));
    }
    MlcModel mlcy = uniformMlc(10.0, 40);
    mlcy.deviceType = "MLCY";
    StepAndShootOptions so;
    so.beamNumber = 6;
    beams.push_back(toStepAndShootBeam(sequenceLeaves(smoothMap(-30, -40, 5, 12, 17, 30), mlcy, o),
                                       mlcy, setup("MLCY", 0.0), so));
    QCOMPARE(beams[3].controlPoints[0].gantryAngle, 216.0);
    QCOMPARE(beams[2].controlPoints[0].collimatorAngle, 350.0);
    for (const Beam& b : beams) {
      QCOMPARE(b.controlPoints.front().cumulativeMetersetWeight, 0.0);
      QCOMPARE(b.controlPoints.back().cumulativeMetersetWeight, 1.0);
      QCOMPARE(b.controlPoints.front().nominalEnergy, 6.0);
      QCOMPARE(b.controlPoints.front().mlcPositions.size(), 2 * std::size_t(b.leafPairs));
    }
    const Plan plan = test::makePlan("SEQ IMRT", beams, 60.0, 30);
    const fs::path file =
        fs::temp_directory_path() /
        ("beamlet-seq-" + std::to_string(QCoreApplication::applicationPid()) + ".dcm");
    try {
      dicom::writeRtPlan(plan, test::makeContext(), file.string());
      const Plan back = dicom::readRtPlan(file.string());
      fs::remove(file);
      test::comparePlans(back, plan);
    } catch (const std::exception& e) {
      fs::remove(file);
      QFAIL(e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestLeafSequencer)
#include "TestLeafSequencer.moc"
