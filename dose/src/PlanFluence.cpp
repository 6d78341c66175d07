#include "beamlet/dose/PlanFluence.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>

namespace beamlet::dose {

namespace {

constexpr double kOpen = 200.0; // half-width (mm) assumed for a jaw pair the plan does not state

struct Rect {
  double x0, x1, y0, y1;
};

// The open rectangles of one control point (collimator frame, isocentre plane).
std::vector<Rect> aperture(const Beam& beam, const ControlPoint& cp) {
  const JawPositions jx = cp.jawX.value_or(JawPositions{-kOpen, kOpen});
  const JawPositions jy = cp.jawY.value_or(JawPositions{-kOpen, kOpen});
  const Rect jaws{jx[0], jx[1], jy[0], jy[1]};
  std::vector<Rect> open;
  if (beam.mlcType.empty() || cp.mlcPositions.empty()) {
    open.push_back(jaws);
  } else {
    const int n = beam.leafPairs;
    if (static_cast<int>(cp.mlcPositions.size()) != 2 * n ||
        static_cast<int>(beam.leafBoundaries.size()) != n + 1) {
      throw DataError("beam '" + beam.name + "': MLC positions or leaf boundaries are incomplete");
    }
    const bool alongX = beam.mlcType == "MLCX";
    for (int p = 0; p < n; ++p) {
      const double lo = beam.leafBoundaries[p];
      const double hi = beam.leafBoundaries[p + 1];
      const double a = cp.mlcPositions[p];
      const double b = cp.mlcPositions[n + p];
      open.push_back(alongX ? Rect{a, b, lo, hi} : Rect{lo, hi, a, b});
    }
    for (Rect& r : open) {
      r = Rect{std::max(r.x0, jaws.x0), std::min(r.x1, jaws.x1), std::max(r.y0, jaws.y0),
               std::min(r.y1, jaws.y1)};
    }
  }
  open.erase(std::remove_if(open.begin(), open.end(),
                            [](const Rect& r) { return r.x1 <= r.x0 || r.y1 <= r.y0; }),
             open.end());
  return open;
}

} // namespace

FluenceGrid segmentFluence(const Beam& beam, double cellMm) {
  if (!beam.supported) {
    throw UnsupportedError("beam '" + beam.name + "': " + beam.unsupportedReason);
  }
  if (beam.radiation != RadiationType::Photon) {
    throw UnsupportedError("beam '" + beam.name + "': only photon beams have dose here");
  }
  if (beam.type != BeamType::Static) {
    throw UnsupportedError("beam '" + beam.name +
                           "': dynamic beams (sliding window, VMAT) are not supported for dose");
  }
  if (!beam.monitorUnits || !(*beam.monitorUnits > 0.0)) {
    throw DataError("beam '" + beam.name + "' has no MU (Beam Meterset) in the fraction group");
  }
  if (beam.controlPoints.size() < 2 || !(beam.finalCumulativeMetersetWeight > 0.0)) {
    throw DataError("beam '" + beam.name + "' has fewer than two control points");
  }
  struct Segment {
    std::vector<Rect> open;
    double mu;
  };
  std::vector<Segment> segments;
  double lo = 1e300;
  double hi = -1e300;
  for (std::size_t i = 0; i + 1 < beam.controlPoints.size(); ++i) {
    const ControlPoint& cp = beam.controlPoints[i];
    const double delta =
        beam.controlPoints[i + 1].cumulativeMetersetWeight - cp.cumulativeMetersetWeight;
    if (delta < -1e-9) {
      throw DataError("beam '" + beam.name + "': cumulative meterset weight decreases");
    }
    if (delta <= 1e-12) {
      continue;
    }
    Segment s{aperture(beam, cp), delta / beam.finalCumulativeMetersetWeight * *beam.monitorUnits};
    for (const Rect& r : s.open) {
      lo = std::min({lo, r.x0, r.y0});
      hi = std::max({hi, r.x1, r.y1});
    }
    segments.push_back(std::move(s));
  }
  FluenceGrid f;
  f.cellMm = cellMm;
  if (segments.empty() || hi <= lo) {
    f.size = 1;
    f.values.assign(1, 0.0f);
    return f;
  }
  const int first = static_cast<int>(std::floor(lo / cellMm));
  const int last = static_cast<int>(std::ceil(hi / cellMm));
  f.x0 = f.y0 = first * cellMm;
  f.size = last - first;
  f.values.assign(static_cast<std::size_t>(f.size) * f.size, 0.0f);
  // Each cell [x_i, x_i + c) x [y_j, y_j + c) receives MU x its open fraction.
  for (const Segment& s : segments) {
    for (const Rect& r : s.open) {
      const int i0 = std::max(0, static_cast<int>(std::floor((r.x0 - f.x0) / cellMm)));
      const int i1 = std::min(f.size - 1, static_cast<int>(std::ceil((r.x1 - f.x0) / cellMm)));
      const int j0 = std::max(0, static_cast<int>(std::floor((r.y0 - f.y0) / cellMm)));
      const int j1 = std::min(f.size - 1, static_cast<int>(std::ceil((r.y1 - f.y0) / cellMm)));
      for (int j = j0; j <= j1; ++j) {
        const double cy0 = f.y0 + j * cellMm;
        const double oy = std::min(cy0 + cellMm, r.y1) - std::max(cy0, r.y0);
        if (oy <= 0.0) {
          continue;
        }
        for (int i = i0; i <= i1; ++i) {
          const double cx0 = f.x0 + i * cellMm;
          const double ox = std::min(cx0 + cellMm, r.x1) - std::max(cx0, r.x0);
          if (ox > 0.0) {
            f.values[static_cast<std::size_t>(j) * f.size + i] +=
                static_cast<float>(s.mu * ox * oy / (cellMm * cellMm));
          }
        }
      }
    }
  }
  return f;
}

PlanBeams planBeams(const Plan& plan, const DoseEngine& engine, double cellMm) {
  PlanBeams out;
  for (const Beam& beam : plan.beams) {
    if (beam.delivery == DeliveryType::Setup || !beam.monitorUnits || *beam.monitorUnits <= 0.0) {
      out.notes.push_back("beam '" + beam.name + "' left out (setup beam or no MU)");
      continue;
    }
    if (beam.controlPoints.empty() || !beam.controlPoints.front().isocenter) {
      throw DataError("beam '" + beam.name + "' has no isocentre");
    }
    const ControlPoint& first = beam.controlPoints.front();
    for (const ControlPoint& cp : beam.controlPoints) {
      if (std::abs(cp.gantryAngle - first.gantryAngle) > 1e-3 ||
          std::abs(cp.collimatorAngle - first.collimatorAngle) > 1e-3 ||
          std::abs(cp.couchAngle - first.couchAngle) > 1e-3) {
        throw UnsupportedError("beam '" + beam.name + "': angles change between control points");
      }
    }
    BeamSetup setup;
    setup.name = beam.name.empty() ? "beam " + std::to_string(beam.number) : beam.name;
    setup.angles = BeamAngles{first.gantryAngle, first.collimatorAngle, first.couchAngle};
    setup.isocenter = *first.isocenter;
    BeamFluence bf;
    bf.beam = static_cast<int>(out.beams.size());
    bf.fluence = segmentFluence(beam, cellMm);
    for (float& v : bf.fluence.values) {
      v = static_cast<float>(v * engine.weightPerMu());
    }
    out.beams.push_back(setup);
    out.fluences.push_back(std::move(bf));
  }
  if (out.beams.empty()) {
    throw DataError("the plan has no treatment beam with MU");
  }
  return out;
}

} // namespace beamlet::dose
