#include "beamlet/dose/LeafSequencer.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

namespace beamlet::dose {

namespace {

constexpr double kEps = 1e-9; // mm: positions closer than this are the same
constexpr int kMaxLevels = 1000000;

std::string mm(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

[[noreturn]] void fail(const std::string& problem) {
  throw InvalidArgumentError("leaf sequencing: " + problem);
}

void validateMlc(const MlcModel& mlc) {
  const std::string which = "MLC '" + mlc.name + "': ";
  if (mlc.deviceType != "MLCX" && mlc.deviceType != "MLCY") {
    fail(which + "device type '" + mlc.deviceType + "' (MLCX or MLCY)");
  }
  if (mlc.leafBoundaries.size() < 2) {
    fail(which + "needs at least one leaf pair (two leaf boundaries)");
  }
  for (std::size_t n = 0; n < mlc.leafBoundaries.size(); ++n) {
    if (!std::isfinite(mlc.leafBoundaries[n]) ||
        (n > 0 && !(mlc.leafBoundaries[n] > mlc.leafBoundaries[n - 1]))) {
      fail(which + "leaf boundaries must be finite and strictly ascending");
    }
  }
  if (!(mlc.maxLeafPositionMm > 0.0) || !std::isfinite(mlc.maxLeafPositionMm)) {
    fail(which + "maximum leaf position must be positive");
  }
  if (!(mlc.maxLeafSpeedMmPerS > 0.0) || !std::isfinite(mlc.maxLeafSpeedMmPerS)) {
    fail(which + "maximum leaf speed must be positive");
  }
  if (!(mlc.minGapMm >= 0.0) || !(mlc.minGapMm < mlc.maxLeafPositionMm)) {
    fail(which + "minimum gap must be in [0, maximum leaf position)");
  }
  if (!(mlc.minMuPerSegment >= 0.0) || !std::isfinite(mlc.minMuPerSegment)) {
    fail(which + "minimum MU per segment must be 0 or more");
  }
}

void validateOptions(const SequencingOptions& o) {
  if (!(o.muStep >= 0.0) || !std::isfinite(o.muStep)) {
    fail("MU step must be 0 (use levels) or positive");
  }
  if (o.muStep == 0.0 && (o.levels < 1 || o.levels > kMaxLevels)) {
    fail("intensity levels must be 1 to " + std::to_string(kMaxLevels));
  }
  if (!(o.muPerUnit > 0.0) || !std::isfinite(o.muPerUnit)) {
    fail("MU per unit of map weight must be positive");
  }
  if (!(o.jawMarginMm >= 0.0) || !std::isfinite(o.jawMarginMm)) {
    fail("jaw margin must be 0 or more");
  }
  if (!(o.doseRateMuPerMin > 0.0) || !std::isfinite(o.doseRateMuPerMin)) {
    fail("dose rate must be positive");
  }
}

void validateMap(const FluenceMap& map) {
  if (map.nx < 1 || map.ny < 1 ||
      map.weights.size() != static_cast<std::size_t>(map.nx) * static_cast<std::size_t>(map.ny)) {
    fail("the fluence map needs nx * ny weights");
  }
  if (!(map.widthMm > 0.0) || !std::isfinite(map.widthMm) || !std::isfinite(map.x0) ||
      !std::isfinite(map.y0)) {
    fail("the fluence map's grid (origin, bixel width) is invalid");
  }
  for (double w : map.weights) {
    if (!std::isfinite(w) || w < 0.0) {
      fail("fluence weights must be finite and not negative");
    }
  }
}

// The map seen along the leaves: travel axis t (X_b for MLCX) and the axis the pairs are stacked
// along, p.
struct Axes {
  bool mlcx = true;
  int nt = 0;
  int np = 0;
  double t0 = 0.0;
  double p0 = 0.0;
  double w = 0.0;

  Axes(const FluenceMap& map, bool isMlcx)
      : mlcx(isMlcx), nt(isMlcx ? map.nx : map.ny), np(isMlcx ? map.ny : map.nx),
        t0(isMlcx ? map.x0 : map.y0), p0(isMlcx ? map.y0 : map.x0), w(map.widthMm) {}
  double value(const FluenceMap& map, int t, int p) const {
    return mlcx ? map.at(t, p) : map.at(p, t);
  }
  double pLow(int p) const { return p0 + (p - 0.5) * w; }
  double tLow(int t) const { return t0 + (t - 0.5) * w; }
};

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

// A copy of `map` grown by `before` and `after` bixels along the pair axis (zeros there).
FluenceMap grown(const FluenceMap& map, const Axes& ax, int before, int after) {
  FluenceMap g = map;
  if (ax.mlcx) {
    g.y0 = map.y0 - before * map.widthMm;
    g.ny = map.ny + before + after;
  } else {
    g.x0 = map.x0 - before * map.widthMm;
    g.nx = map.nx + before + after;
  }
  g.weights.assign(static_cast<std::size_t>(g.nx) * g.ny, 0.0);
  for (int j = 0; j < map.ny; ++j) {
    for (int i = 0; i < map.nx; ++i) {
      g.at(ax.mlcx ? i : i + before, ax.mlcx ? j + before : j) = map.at(i, j);
    }
  }
  return g;
}

// RMS of a - b over the cells where either is non-zero, relative to `scale`.
double relativeRms(const FluenceMap& a, const FluenceMap& b, double scale) {
  double sum = 0.0;
  std::size_t count = 0;
  const double tiny = 1e-12 * scale;
  for (std::size_t n = 0; n < a.weights.size(); ++n) {
    if (std::abs(a.weights[n]) > tiny || std::abs(b.weights[n]) > tiny) {
      const double d = a.weights[n] - b.weights[n];
      sum += d * d;
      ++count;
    }
  }
  return count == 0 || !(scale > 0.0) ? 0.0 : std::sqrt(sum / count) / scale;
}

int floorLog2(int value) {
  int m = 0;
  while ((value >> (m + 1)) > 0) {
    ++m;
  }
  return m;
}

// One aperture of the decomposition: per leaf row k (of SequencedBeam's levelMatrix) the open
// columns first[k] .. last[k] - 1 (first == last: closed), and its weight in levels.
struct Shape {
  std::vector<int> first;
  std::vector<int> last;
  int levels = 0;
};

// Xia & Verhey 1998 (doi:10.1118/1.598310), reducing-level method. With L_k the maximum of the
// residual matrix, the delivery intensity unit is d_k = 2^(m - 1), m = max(1, floor(log2 L_k))
// (their eqs. 5-7). Each leaf row opens the contiguous run of residual >= d_k that holds the row's
// highest residual (the leftmost on ties); d_k is subtracted under the opening; repeat until
// nothing is left.
std::vector<Shape> reducingLevels(std::vector<int> residual, int rows, int columns) {
  std::vector<Shape> shapes;
  while (!residual.empty()) {
    const int top = *std::max_element(residual.begin(), residual.end());
    if (top <= 0) {
      break;
    }
    const int d = 1 << (std::max(1, floorLog2(top)) - 1);
    Shape s;
    s.first.assign(rows, 0);
    s.last.assign(rows, 0);
    s.levels = d;
    for (int k = 0; k < rows; ++k) {
      int* r = residual.data() + static_cast<std::size_t>(k) * columns;
      int peak = -1;
      for (int t = 0; t < columns; ++t) {
        if (r[t] >= d && (peak < 0 || r[t] > r[peak])) {
          peak = t;
        }
      }
      if (peak < 0) {
        continue;
      }
      int a = peak;
      while (a > 0 && r[a - 1] >= d) {
        --a;
      }
      int b = peak + 1;
      while (b < columns && r[b] >= d) {
        ++b;
      }
      for (int t = a; t < b; ++t) {
        r[t] -= d;
      }
      s.first[k] = a;
      s.last[k] = b;
    }
    shapes.push_back(std::move(s));
  }
  return shapes;
}

// Identical apertures delivered at different iterations become one segment (their levels added);
// the order of first appearance is kept.
std::vector<Shape> mergeIdentical(const std::vector<Shape>& shapes) {
  std::vector<Shape> merged;
  std::map<std::vector<int>, std::size_t> index;
  for (const Shape& s : shapes) {
    std::vector<int> key = s.first;
    key.insert(key.end(), s.last.begin(), s.last.end());
    const auto [it, inserted] = index.emplace(std::move(key), merged.size());
    if (inserted) {
      merged.push_back(s);
    } else {
      merged[it->second].levels += s.levels;
    }
  }
  return merged;
}

double normalisedAngle(double degrees) {
  double a = std::fmod(degrees, 360.0);
  if (a < 0.0) {
    a += 360.0;
  }
  return a >= 360.0 ? 0.0 : a;
}

// The bixel index of coordinate v on a grid with the centre of index 0 at c0 (any integer,
// outside the map too); nothing when v is not a bixel centre of the grid.
std::optional<int> gridIndex(double v, double c0, double width) {
  const double f = (v - c0) / width;
  const double r = std::round(f);
  if (std::abs(f - r) * width > 1e-4) {
    return std::nullopt;
  }
  return static_cast<int>(r);
}

// The segments' leaves and jaws. Open pairs stand at the edges of their bixel run. Jaws along the
// travel axis stand the margin beyond the open leaves (leaving room for a closed gap inside the
// leaves' reach); across it they stand at the outer boundaries of the outermost open pairs plus the
// margin. A closed pair is a gap of minGap hidden from the beam: outside the jaws across the
// leaves (anywhere then), or just behind a travel-axis jaw. It stays where it was in the previous
// segment while that position is hidden, else it moves to the hidden place nearest to it; before
// the first segment a pair is taken to stand at the centre of its first opening.
std::vector<Segment> placeLeaves(const std::vector<Shape>& shapes, const std::vector<double>& mus,
                                 const Axes& ax, const MlcModel& mlc, double margin,
                                 int firstPair) {
  const std::vector<double>& b = mlc.leafBoundaries;
  const int pairs = mlc.leafPairs();
  const double reach = mlc.maxLeafPositionMm;
  const double gap = mlc.minGapMm;
  auto openRun = [&](const Shape& s, int n, int& first, int& last) {
    const int k = n - firstPair;
    if (k < 0 || k >= static_cast<int>(s.first.size()) || s.last[k] <= s.first[k]) {
      return false;
    }
    first = s.first[k];
    last = s.last[k];
    return true;
  };
  std::vector<Segment> segments(shapes.size());
  // Open leaves and jaws.
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    Segment& seg = segments[s];
    seg.levels = shapes[s].levels;
    seg.mu = mus[s];
    seg.pairs.resize(pairs);
    double low = 1e300;
    double high = -1e300;
    int lowPair = pairs;
    int highPair = -1;
    for (int n = 0; n < pairs; ++n) {
      LeafPairOpening& o = seg.pairs[n];
      if (openRun(shapes[s], n, o.first, o.last)) {
        o.open = true;
        o.left = std::clamp(ax.tLow(o.first), -reach, reach);
        o.right = std::clamp(ax.tLow(o.last), -reach, reach);
        low = std::min(low, o.left);
        high = std::max(high, o.right);
        lowPair = std::min(lowPair, n);
        highPair = std::max(highPair, n);
      }
    }
    const JawPositions travel{
        low - gap >= -reach - kEps ? std::max(low - margin, -reach + gap) : low,
        high + gap <= reach + kEps ? std::min(high + margin, reach - gap) : high};
    const JawPositions across{std::max(b[lowPair] - margin, b.front()),
                              std::min(b[highPair + 1] + margin, b.back())};
    seg.jawX = ax.mlcx ? travel : across;
    seg.jawY = ax.mlcx ? across : travel;
  }
  // Closed pairs, segment by segment.
  for (int n = 0; n < pairs; ++n) {
    double prevLeft = 0.0;
    double prevRight = 0.0;
    bool known = false;
    for (const Shape& s : shapes) {
      int first = 0;
      int last = 0;
      if (openRun(s, n, first, last)) {
        const double c = 0.5 * (ax.tLow(first) + ax.tLow(last));
        prevLeft = c - 0.5 * gap;
        prevRight = c + 0.5 * gap;
        known = true;
        break;
      }
    }
    for (Segment& seg : segments) {
      LeafPairOpening& o = seg.pairs[n];
      if (o.open) {
        prevLeft = o.left;
        prevRight = o.right;
        known = true;
        continue;
      }
      const JawPositions& travel = ax.mlcx ? seg.jawX : seg.jawY;
      const JawPositions& across = ax.mlcx ? seg.jawY : seg.jawX;
      const bool lowSlot = travel[0] - gap >= -reach - kEps;
      const bool highSlot = travel[1] + gap <= reach + kEps;
      if (!known) {
        prevLeft = lowSlot    ? travel[0] - gap
                   : highSlot ? travel[1]
                              : 0.5 * (travel[0] + travel[1] - gap);
        prevRight = prevLeft + gap;
        known = true;
      }
      const bool underJaw = b[n + 1] <= across[0] + kEps || b[n] >= across[1] - kEps;
      if (underJaw) {
        // Behind the jaws across the leaves: close where the pair stands.
        const double c =
            std::clamp(0.5 * (prevLeft + prevRight), -reach + 0.5 * gap, reach - 0.5 * gap);
        o.left = c - 0.5 * gap;
        o.right = c + 0.5 * gap;
      } else if (prevRight - prevLeft <= gap + kEps && prevLeft >= -reach - kEps &&
                 prevRight <= reach + kEps &&
                 (prevRight <= travel[0] + kEps || prevLeft >= travel[1] - kEps)) {
        o.left = prevLeft; // still hidden behind a travel-axis jaw
        o.right = prevRight;
      } else if (lowSlot || highSlot) {
        auto cost = [&](double left) {
          return std::max(std::abs(left - prevLeft), std::abs(left + gap - prevRight));
        };
        const double lowLeft = travel[0] - gap;
        const double highLeft = travel[1];
        o.left = !highSlot || (lowSlot && cost(lowLeft) <= cost(highLeft)) ? lowLeft : highLeft;
        o.right = o.left + gap;
      } else {
        fail("open leaves span the whole travel of +-" + mm(reach) +
             " mm: no room to park a closed leaf pair behind a jaw");
      }
      prevLeft = o.left;
      prevRight = o.right;
    }
  }
  return segments;
}

} // namespace

MlcModel millennium120() {
  MlcModel mlc;
  mlc.name = "Millennium 120";
  mlc.leafBoundaries.push_back(-200.0);
  for (int n = 0; n < 60; ++n) {
    const bool outer = n < 10 || n >= 50;
    mlc.leafBoundaries.push_back(mlc.leafBoundaries.back() + (outer ? 10.0 : 5.0));
  }
  return mlc;
}

MlcModel uniformMlc(double leafWidthMm, int pairs) {
  if (!(leafWidthMm > 0.0) || pairs < 1) {
    fail("a uniform MLC needs a positive leaf width and at least one pair");
  }
  MlcModel mlc;
  mlc.name = "uniform " + mm(leafWidthMm) + " mm x " + std::to_string(pairs);
  for (int n = 0; n <= pairs; ++n) {
    // Each boundary computed on its own (not accumulated), so it is exact for round widths.
    mlc.leafBoundaries.push_back((n - 0.5 * pairs) * leafWidthMm);
  }
  return mlc;
}

FluenceMap fluenceMapFromBixels(const std::vector<Bixel>& bixels,
                                const std::vector<double>& weights, int beam) {
  if (weights.size() != bixels.size()) {
    fail(std::to_string(weights.size()) + " weights for " + std::to_string(bixels.size()) +
         " bixels");
  }
  std::vector<std::size_t> mine;
  for (std::size_t n = 0; n < bixels.size(); ++n) {
    if (bixels[n].beam == beam) {
      mine.push_back(n);
    }
  }
  if (mine.empty()) {
    fail("beam " + std::to_string(beam) + " has no bixels");
  }
  FluenceMap map;
  map.widthMm = bixels[mine.front()].widthMm;
  if (!(map.widthMm > 0.0)) {
    fail("bixel width must be positive");
  }
  double x1 = bixels[mine.front()].xMm;
  double y1 = bixels[mine.front()].yMm;
  map.x0 = x1;
  map.y0 = y1;
  for (std::size_t n : mine) {
    const Bixel& b = bixels[n];
    if (std::abs(b.widthMm - map.widthMm) > 1e-6) {
      fail("beam " + std::to_string(beam) + " mixes bixel widths " + mm(map.widthMm) + " and " +
           mm(b.widthMm) + " mm");
    }
    map.x0 = std::min(map.x0, b.xMm);
    map.y0 = std::min(map.y0, b.yMm);
    x1 = std::max(x1, b.xMm);
    y1 = std::max(y1, b.yMm);
  }
  map.nx = static_cast<int>(std::lround((x1 - map.x0) / map.widthMm)) + 1;
  map.ny = static_cast<int>(std::lround((y1 - map.y0) / map.widthMm)) + 1;
  map.weights.assign(static_cast<std::size_t>(map.nx) * map.ny, 0.0);
  std::vector<char> seen(map.weights.size(), 0);
  for (std::size_t n : mine) {
    const Bixel& b = bixels[n];
    const std::optional<int> i = gridIndex(b.xMm, map.x0, map.widthMm);
    const std::optional<int> j = gridIndex(b.yMm, map.y0, map.widthMm);
    if (!i || !j || *i < 0 || *j < 0 || *i >= map.nx || *j >= map.ny) {
      fail("bixel at (" + mm(b.xMm) + ", " + mm(b.yMm) + ") mm is off the beam's " +
           mm(map.widthMm) + " mm grid");
    }
    const std::size_t cell = static_cast<std::size_t>(*j) * map.nx + *i;
    if (seen[cell] != 0) {
      fail("two bixels at (" + mm(b.xMm) + ", " + mm(b.yMm) + ") mm");
    }
    seen[cell] = 1;
    map.weights[cell] = weights[n];
  }
  return map;
}

void setBixelWeights(const FluenceMap& map, const std::vector<Bixel>& bixels, int beam,
                     std::vector<double>& weights) {
  if (weights.size() != bixels.size()) {
    fail(std::to_string(weights.size()) + " weights for " + std::to_string(bixels.size()) +
         " bixels");
  }
  for (std::size_t n = 0; n < bixels.size(); ++n) {
    const Bixel& b = bixels[n];
    if (b.beam != beam) {
      continue;
    }
    if (std::abs(b.widthMm - map.widthMm) > 1e-6) {
      fail("bixel width " + mm(b.widthMm) + " mm differs from the map's " + mm(map.widthMm) +
           " mm");
    }
    const std::optional<int> i = gridIndex(b.xMm, map.x0, map.widthMm);
    const std::optional<int> j = gridIndex(b.yMm, map.y0, map.widthMm);
    if (!i || !j) {
      fail("bixel at (" + mm(b.xMm) + ", " + mm(b.yMm) + ") mm is off the map's grid");
    }
    weights[n] = (*i >= 0 && *j >= 0 && *i < map.nx && *j < map.ny) ? map.at(*i, *j) : 0.0;
  }
}

FluenceMap rasteriseSegments(const std::vector<Segment>& segments, const MlcModel& mlc,
                             const FluenceMap& grid) {
  validateMlc(mlc);
  if (grid.nx < 1 || grid.ny < 1 || !(grid.widthMm > 0.0)) {
    fail("the grid to rasterise segments on is empty");
  }
  FluenceMap out = grid;
  out.weights.assign(static_cast<std::size_t>(grid.nx) * grid.ny, 0.0);
  const bool mlcx = mlc.deviceType == "MLCX";
  const int pairs = mlc.leafPairs();
  const double w = grid.widthMm;
  for (const Segment& s : segments) {
    if (static_cast<int>(s.pairs.size()) != pairs) {
      fail("a segment has " + std::to_string(s.pairs.size()) + " leaf pairs, the MLC " +
           std::to_string(pairs));
    }
    for (int n = 0; n < pairs; ++n) {
      const LeafPairOpening& o = s.pairs[n];
      if (!o.open) {
        continue;
      }
      const double lo = mlc.leafBoundaries[n];
      const double hi = mlc.leafBoundaries[n + 1];
      const double x0 = std::max(mlcx ? o.left : lo, s.jawX[0]);
      const double x1 = std::min(mlcx ? o.right : hi, s.jawX[1]);
      const double y0 = std::max(mlcx ? lo : o.left, s.jawY[0]);
      const double y1 = std::min(mlcx ? hi : o.right, s.jawY[1]);
      if (x1 <= x0 || y1 <= y0) {
        continue;
      }
      const int i0 = std::max(0, static_cast<int>(std::floor((x0 - grid.x0) / w + 0.5)));
      const int i1 = std::min(grid.nx - 1, static_cast<int>(std::floor((x1 - grid.x0) / w + 0.5)));
      const int j0 = std::max(0, static_cast<int>(std::floor((y0 - grid.y0) / w + 0.5)));
      const int j1 = std::min(grid.ny - 1, static_cast<int>(std::floor((y1 - grid.y0) / w + 0.5)));
      for (int j = j0; j <= j1; ++j) {
        const double cy = grid.y0 + j * w;
        const double oy = overlap(cy - 0.5 * w, cy + 0.5 * w, y0, y1);
        for (int i = i0; i <= i1 && oy > 0.0; ++i) {
          const double cx = grid.x0 + i * w;
          const double ox = overlap(cx - 0.5 * w, cx + 0.5 * w, x0, x1);
          out.at(i, j) += s.mu * ox * oy / (w * w);
        }
      }
    }
  }
  return out;
}

SequencedBeam sequenceLeaves(const FluenceMap& map, const MlcModel& mlc,
                             const SequencingOptions& options) {
  validateMlc(mlc);
  validateOptions(options);
  validateMap(map);
  const Axes ax(map, mlc.deviceType == "MLCX");
  const double w = ax.w;
  const std::vector<double>& b = mlc.leafBoundaries;
  const int pairs = mlc.leafPairs();
  if (w + kEps < mlc.minGapMm) {
    fail("bixels of " + mm(w) + " mm are narrower than the MLC's minimum gap of " +
         mm(mlc.minGapMm) + " mm");
  }
  SequencedBeam out;
  const double mapMax = *std::max_element(map.weights.begin(), map.weights.end());

  // Leaf pairs over the map (the pair-axis extent of its bixels); each must be a whole multiple
  // or a whole divisor of the bixel width.
  const double mapLow = ax.pLow(0);
  const double mapHigh = ax.pLow(ax.np);
  int firstPair = -1;
  int lastPair = -2;
  for (int n = 0; n < pairs; ++n) {
    if (overlap(b[n], b[n + 1], mapLow, mapHigh) <= kEps) {
      continue;
    }
    const double width = b[n + 1] - b[n];
    const double ratio = width >= w ? width / w : w / width;
    if (std::abs(ratio - std::round(ratio)) > 1e-6) {
      fail("leaf pair " + std::to_string(n + 1) + " is " + mm(width) + " mm wide, bixels " + mm(w) +
           " mm: one must be a whole multiple of the other");
    }
    firstPair = firstPair < 0 ? n : firstPair;
    lastPair = n;
  }
  const int rows = lastPair - firstPair + 1;

  // Leaf-row intensities: each pair takes the mean of the bixel rows under it, weighted by the
  // overlap over the pair's whole width (no bixel = 0): the least-squares best constant.
  std::vector<double> rowValues(static_cast<std::size_t>(std::max(rows, 0)) * ax.nt, 0.0);
  bool offset = false;
  for (int k = 0; k < rows; ++k) {
    const int n = firstPair + k;
    const double width = b[n + 1] - b[n];
    for (int p = 0; p < ax.np; ++p) {
      const double o = overlap(b[n], b[n + 1], ax.pLow(p), ax.pLow(p + 1));
      if (o <= kEps) {
        continue;
      }
      if (o < std::min(width, w) - kEps) {
        offset = true;
      }
      for (int t = 0; t < ax.nt; ++t) {
        rowValues[static_cast<std::size_t>(k) * ax.nt + t] += o / width * ax.value(map, t, p);
      }
    }
  }
  const double rowMax =
      rowValues.empty() ? 0.0 : *std::max_element(rowValues.begin(), rowValues.end());
  const double unitsPerLevel =
      options.muStep > 0.0 ? options.muStep / options.muPerUnit : rowMax / options.levels;

  if (unitsPerLevel > 0.0 && rowMax / unitsPerLevel > kMaxLevels) {
    fail("an MU step of " + mm(options.muStep) + " gives more than " + std::to_string(kMaxLevels) +
         " intensity levels");
  }

  // Refuse fluence the leaves cannot reach (bixels beyond the maximum leaf position or outside the
  // leaf bank) unless it would quantise to nothing.
  const double reach = mlc.maxLeafPositionMm;
  std::vector<char> reachable(ax.nt, 1);
  for (int t = 0; t < ax.nt; ++t) {
    reachable[t] = ax.tLow(t) >= -reach - kEps && ax.tLow(t + 1) <= reach + kEps;
  }
  for (int p = 0; p < ax.np; ++p) {
    const bool inBank = ax.pLow(p) >= b.front() - kEps && ax.pLow(p + 1) <= b.back() + kEps;
    for (int t = 0; t < ax.nt; ++t) {
      const double v = ax.value(map, t, p);
      if ((!inBank || !reachable[t]) && v > 0.0 &&
          (!(unitsPerLevel > 0.0) || v >= 0.5 * unitsPerLevel)) {
        const double x = ax.mlcx ? ax.t0 + t * w : ax.p0 + p * w;
        const double y = ax.mlcx ? ax.p0 + p * w : ax.t0 + t * w;
        fail("fluence at bixel (" + mm(x) + ", " + mm(y) + ") mm is beyond the reach of MLC '" +
             mlc.name + "' (leaves within +-" + mm(reach) + " mm, pairs from " + mm(b.front()) +
             " to " + mm(b.back()) + " mm)");
      }
    }
  }

  // Quantisation to whole levels.
  out.firstPair = std::max(firstPair, 0);
  out.pairCount = std::max(rows, 0);
  out.columns = ax.nt;
  out.levelMatrix.assign(rowValues.size(), 0);
  if (unitsPerLevel > 0.0) {
    for (std::size_t n = 0; n < rowValues.size(); ++n) {
      const int t = static_cast<int>(n % ax.nt);
      out.levelMatrix[n] =
          reachable[t] ? static_cast<int>(std::lround(rowValues[n] / unitsPerLevel)) : 0;
    }
  }
  out.maxLevel = out.levelMatrix.empty()
                     ? 0
                     : *std::max_element(out.levelMatrix.begin(), out.levelMatrix.end());
  out.muPerLevel = unitsPerLevel * options.muPerUnit;
  if (offset) {
    out.notes.push_back("leaf pairs and bixel rows are not aligned: each pair delivers the "
                        "overlap-weighted mean of the bixel rows under it");
  }

  // Decomposition and merging.
  const std::vector<Shape> raw = reducingLevels(out.levelMatrix, out.pairCount, ax.nt);
  out.decompositionSegments = static_cast<int>(raw.size());
  std::vector<Shape> shapes = mergeIdentical(raw);

  // Minimum MU per segment.
  std::vector<double> mus;
  std::vector<Shape> kept;
  const double minMu = mlc.minMuPerSegment;
  for (const Shape& s : shapes) {
    double mu = s.levels * out.muPerLevel;
    if (mu < minMu * (1.0 - 1e-9)) {
      const bool raise = options.minMuRule == MinMuRule::Raise ||
                         (options.minMuRule == MinMuRule::Nearest && mu >= 0.5 * minMu);
      if (!raise) {
        ++out.droppedSegments;
        continue;
      }
      ++out.raisedSegments;
      mu = minMu;
    }
    kept.push_back(s);
    mus.push_back(mu);
  }
  if (out.droppedSegments + out.raisedSegments > 0 && out.muPerLevel < minMu) {
    out.notes.push_back("one intensity level is " + mm(out.muPerLevel) +
                        " MU, less than the minimum of " + mm(minMu) +
                        " MU per segment: fewer levels or an MU step of at least " + mm(minMu) +
                        " MU avoid the min-MU rule");
  }
  if (out.droppedSegments + out.raisedSegments > 0) {
    out.notes.push_back(std::to_string(out.droppedSegments + out.raisedSegments) +
                        " segments below " + mm(minMu) +
                        " MU: " + std::to_string(out.droppedSegments) + " dropped, " +
                        std::to_string(out.raisedSegments) + " raised to " + mm(minMu) + " MU");
  }

  out.segments = placeLeaves(kept, mus, ax, mlc, options.jawMarginMm, out.firstPair);
  for (const Segment& seg : out.segments) {
    out.totalMu += seg.mu;
  }

  // The maps on the input grid grown across the leaves to whole leaf pairs.
  int before = 0;
  int after = 0;
  if (rows > 0) {
    before = std::max(0, static_cast<int>(std::ceil((mapLow - b[firstPair]) / w - 1e-9)));
    after = std::max(0, static_cast<int>(std::ceil((b[lastPair + 1] - mapHigh) / w - 1e-9)));
  }
  const FluenceMap input = grown(map, ax, before, after);
  FluenceMap mapped = input;
  std::fill(mapped.weights.begin(), mapped.weights.end(), 0.0);
  out.quantised = mapped;
  const int gp = ax.np + before + after;
  for (int q = 0; q < gp; ++q) {
    const double c0 = ax.pLow(q - before);
    for (int k = 0; k < rows; ++k) {
      const int n = firstPair + k;
      const double f = overlap(b[n], b[n + 1], c0, c0 + w) / w;
      if (f <= 0.0) {
        continue;
      }
      for (int t = 0; t < ax.nt; ++t) {
        const std::size_t cell = static_cast<std::size_t>(k) * ax.nt + t;
        double& mv = ax.mlcx ? mapped.at(t, q) : mapped.at(q, t);
        double& qv = ax.mlcx ? out.quantised.at(t, q) : out.quantised.at(q, t);
        mv += f * rowValues[cell];
        qv += f * out.levelMatrix[cell] * unitsPerLevel;
      }
    }
  }
  out.deliverable = rasteriseSegments(out.segments, mlc, input);
  for (double& v : out.deliverable.weights) {
    v /= options.muPerUnit;
  }
  out.mappingErrorRms = relativeRms(mapped, input, mapMax);
  out.quantisationErrorRms = relativeRms(out.quantised, input, mapMax);
  out.fluenceErrorRms = relativeRms(out.deliverable, input, mapMax);

  // Delivery time: beam on at the dose rate; between segments the slowest leaf at full speed.
  out.beamOnSeconds = out.totalMu / options.doseRateMuPerMin * 60.0;
  double travelMm = 0.0;
  for (std::size_t s = 1; s < out.segments.size(); ++s) {
    double longest = 0.0;
    for (int n = 0; n < pairs; ++n) {
      const LeafPairOpening& a = out.segments[s - 1].pairs[n];
      const LeafPairOpening& c = out.segments[s].pairs[n];
      longest = std::max({longest, std::abs(a.left - c.left), std::abs(a.right - c.right)});
    }
    travelMm += longest;
  }
  out.leafTravelSeconds = travelMm / mlc.maxLeafSpeedMmPerS;
  out.deliveryTimeSeconds = out.beamOnSeconds + out.leafTravelSeconds;
  if (out.segments.empty()) {
    out.notes.push_back("no segments: the map quantises to zero");
  }
  return out;
}

Beam toStepAndShootBeam(const SequencedBeam& sequenced, const MlcModel& mlc, const BeamSetup& setup,
                        const StepAndShootOptions& options) {
  validateMlc(mlc);
  if (sequenced.segments.empty() || !(sequenced.totalMu > 0.0)) {
    fail("no segments to deliver (the fluence map quantised to zero)");
  }
  const int pairs = mlc.leafPairs();
  Beam beam;
  beam.number = options.beamNumber;
  beam.name = setup.name.empty() ? "Beam " + std::to_string(options.beamNumber) : setup.name;
  beam.description = "step-and-shoot, " + std::to_string(sequenced.segments.size()) +
                     " segments (Xia-Verhey reducing levels)";
  beam.type = BeamType::Static;
  beam.radiation = RadiationType::Photon;
  beam.delivery = DeliveryType::Treatment;
  beam.machineName = options.machineName;
  beam.sourceAxisDistance = options.sourceAxisDistanceMm;
  beam.jawXType = "ASYMX";
  beam.jawYType = "ASYMY";
  beam.mlcType = mlc.deviceType;
  beam.leafPairs = pairs;
  beam.leafBoundaries = mlc.leafBoundaries;
  beam.limitingDeviceTypes = {"ASYMX", "ASYMY", mlc.deviceType};
  beam.finalCumulativeMetersetWeight = 1.0;
  beam.monitorUnits = sequenced.totalMu;

  ControlPoint cp;
  cp.nominalEnergy = options.nominalEnergy;
  cp.doseRate = options.doseRateMuPerMin;
  cp.gantryAngle = normalisedAngle(setup.angles.gantryDeg);
  cp.collimatorAngle = normalisedAngle(setup.angles.collimatorDeg);
  cp.couchAngle = normalisedAngle(setup.angles.couchDeg);
  cp.isocenter = setup.isocenter;
  double delivered = 0.0;
  for (std::size_t s = 0; s < sequenced.segments.size(); ++s) {
    const Segment& seg = sequenced.segments[s];
    if (static_cast<int>(seg.pairs.size()) != pairs || !(seg.mu > 0.0)) {
      fail("segment " + std::to_string(s + 1) + " does not fit MLC '" + mlc.name +
           "' or has no MU");
    }
    cp.jawX = seg.jawX;
    cp.jawY = seg.jawY;
    cp.mlcPositions.assign(2 * static_cast<std::size_t>(pairs), 0.0);
    for (int n = 0; n < pairs; ++n) {
      cp.mlcPositions[n] = seg.pairs[n].left;
      cp.mlcPositions[n + pairs] = seg.pairs[n].right;
    }
    // Beam off while the leaves move: a segment starts at the weight the previous one ended with.
    cp.index = static_cast<int>(beam.controlPoints.size());
    cp.cumulativeMetersetWeight = delivered / sequenced.totalMu;
    beam.controlPoints.push_back(cp);
    delivered += seg.mu;
    cp.index = static_cast<int>(beam.controlPoints.size());
    cp.cumulativeMetersetWeight =
        s + 1 == sequenced.segments.size() ? 1.0 : delivered / sequenced.totalMu;
    beam.controlPoints.push_back(cp);
  }
  return beam;
}

} // namespace beamlet::dose
