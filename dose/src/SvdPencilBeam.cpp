#include "beamlet/dose/SvdPencilBeam.h"

#include "BeamVoxels.h"
#include "PencilBeamSetup.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/RadiologicalDepth.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace beamlet::dose {

namespace {

constexpr double kSsdNodeMm = 10.0;

// Lateral extent (isocentre plane) of a fluence grid's non-zero cells.
struct Extent {
  double xMin = 1e300, xMax = -1e300, yMin = 1e300, yMax = -1e300;
};

Extent fluenceExtent(const FluenceGrid& f) {
  Extent e;
  for (int j = 0; j < f.size; ++j) {
    for (int i = 0; i < f.size; ++i) {
      if (f.values[static_cast<std::size_t>(j) * f.size + i] != 0.0f) {
        e.xMin = std::min(e.xMin, f.x0 + i * f.cellMm);
        e.xMax = std::max(e.xMax, f.x0 + (i + 1) * f.cellMm);
        e.yMin = std::min(e.yMin, f.y0 + j * f.cellMm);
        e.yMax = std::max(e.yMax, f.y0 + (j + 1) * f.cellMm);
      }
    }
  }
  return e;
}

} // namespace

std::array<double, 3> depthFactors(const PhotonMachine& machine, double z) {
  const double m = machine.primaryAttenuationPerMm;
  std::array<double, 3> d{};
  for (int k = 0; k < 3; ++k) {
    const double b = machine.betasPerMm[k];
    // exp(-m z) - exp(-b z) = -exp(-m z) expm1(-(b - m) z)
    d[k] = z > 0.0 ? -b / (b - m) * std::exp(-m * z) * std::expm1(-(b - m) * z) : 0.0;
  }
  return d;
}

SvdPencilBeam::SvdPencilBeam(PhotonMachine machine) : machine_(std::move(machine)) {
  const double reference = openFieldDoseInWater(
      machine_.calibrationFieldMm, machine_.calibrationSsdMm, machine_.calibrationDepthMm);
  if (!(reference > 0.0)) {
    throw DataError(withContext(machine_.folder, "the machine gives no dose at its calibration "
                                                 "point"));
  }
  weightPerMu_ = machine_.calibrationGyPerMu / reference;
}

double SvdPencilBeam::kernelSsdNode(double ssdMm) const {
  const double node = machine_.kernelSsdFirstMm +
                      std::round((ssdMm - machine_.kernelSsdFirstMm) / kSsdNodeMm) * kSsdNodeMm;
  return std::clamp(node, machine_.kernelSsdFirstMm,
                    machine_.kernelSsdMm(machine_.kernelSsdCount - 1));
}

double SvdPencilBeam::openFieldDoseInWater(double fieldMm, double ssdMm, double depthMm) const {
  const FluenceGrid field = bixelFluence(machine_, fieldMm);
  const LateralKernelTable table =
      lateralKernelTable(machine_, field, kernelSsdNode(ssdMm), 2 * machine_.kernelCellMm);
  const Eigen::Vector4f c = table.at(0.0, 0.0);
  const std::array<double, 3> d = depthFactors(machine_, depthMm);
  const double inverseSquare = std::pow(machine_.sadMm / (ssdMm + depthMm), 2);
  return (d[0] * c[0] + d[1] * c[1] + d[2] * c[2]) * inverseSquare;
}

Dij SvdPencilBeam::computeDij(const DoseProblem& problem, std::vector<Bixel> bixels,
                              const DijOptions& options, ProgressMonitor* monitor) const {
  if (problem.voxels.empty()) {
    throw DataError("no dose voxels to compute (are the structures inside the dose grid?)");
  }
  ProgressScope progress(monitor, 0.0, 1.0, "dij");
  Dij dij(problem.doseGrid, problem.voxels, {}, options.precision);
  std::vector<std::vector<std::uint32_t>> columnRows(bixels.size());
  std::vector<std::vector<float>> columnValues(bixels.size());
  std::atomic<std::size_t> bytes{0};
  std::atomic<std::size_t> done{0};
  const std::size_t bytesPerEntry =
      sizeof(std::uint32_t) + (options.precision == DijPrecision::Float32 ? 4 : 2);

  for (std::size_t b = 0; b < problem.beams.size(); ++b) {
    std::vector<std::size_t> beamBixels = detail::bixelsOfBeam(bixels, b);
    if (beamBixels.empty()) {
      continue;
    }
    const BeamSetup& beam = problem.beams[b];
    const double beamBegin = static_cast<double>(b) / problem.beams.size();
    const double beamEnd = static_cast<double>(b + 1) / problem.beams.size();
    const detail::PreparedBeam prepared =
        detail::prepareBeam(*this, problem, b, std::move(beamBixels), bixels, options, progress,
                            beamBegin, beamBegin + 0.3 * (beamEnd - beamBegin));
    const detail::BeamVoxels& voxels = prepared.voxels;

    const ProgressScope bixelScope(progress, beamBegin + 0.3 * (beamEnd - beamBegin), beamEnd,
                                   "bixels, beam " + beam.name);
    std::atomic<std::size_t> beamDone{0};
    const std::vector<std::size_t>& mine = prepared.bixels;
    tbb::parallel_for(std::size_t{0}, mine.size(), [&](std::size_t t) {
      bixelScope.throwIfCancelled();
      const std::size_t j = mine[t];
      const Bixel& x = bixels[j];
      const LateralKernelTable& table = detail::tableOf(prepared, *this, x);
      const double r = detail::bixelReachMm(options, x);
      const float r2 = static_cast<float>(r * r);
      const detail::BucketRange range = detail::bucketRange(voxels, x, r);
      std::vector<std::uint32_t>& rows = columnRows[j];
      std::vector<float>& values = columnValues[j];
      const float cx = static_cast<float>(x.xMm);
      const float cy = static_cast<float>(x.yMm);
      for (int by = range.by0; by <= range.by1; ++by) {
        for (int bxi = range.bx0; bxi <= range.bx1; ++bxi) {
          const std::size_t bucket = static_cast<std::size_t>(by) * voxels.nx + bxi;
          for (std::uint32_t s = voxels.start[bucket]; s < voxels.start[bucket + 1]; ++s) {
            const std::uint32_t n = voxels.order[s];
            const float dx = voxels.xy[n].x() - cx;
            const float dy = voxels.xy[n].y() - cy;
            if (dx * dx + dy * dy > r2) {
              continue;
            }
            const float value = voxels.factors[n].dot(table.at(dx, dy));
            if (value > 0.0f) {
              rows.push_back(voxels.rows[n]);
              values.push_back(value);
            }
          }
        }
      }
      if (options.relativeThreshold > 0.0 && !values.empty()) {
        const float keep = static_cast<float>(options.relativeThreshold) *
                           *std::max_element(values.begin(), values.end());
        // Russian roulette on the small entries (the idea of matRad's dij sampling): an entry
        // below `keep` survives with probability value / keep and then counts as `keep`, so
        // every voxel's expected dose is unchanged while the matrix shrinks. The draw is a hash
        // of (bixel, dose-grid voxel): the same matrix every run, and the same draw for a voxel
        // whichever other voxels are computed (voxel sampling, VoxelSampling.h).
        std::size_t kept = 0;
        for (std::size_t e = 0; e < values.size(); ++e) {
          float v = values[e];
          if (v < keep) {
            std::uint64_t h = (static_cast<std::uint64_t>(j) << 32) ^ problem.voxels[rows[e]];
            h += 0x9e3779b97f4a7c15ull; // splitmix64 finaliser
            h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
            h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
            h ^= h >> 31;
            const double u = static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
            if (u >= static_cast<double>(v) / keep) {
              continue;
            }
            v = keep;
          }
          rows[kept] = rows[e];
          values[kept] = v;
          ++kept;
        }
        rows.resize(kept);
        values.resize(kept);
      }
      rows.shrink_to_fit();
      values.shrink_to_fit();
      const std::size_t total = bytes += rows.size() * bytesPerEntry;
      if (options.memoryLimitBytes > 0 && total > options.memoryLimitBytes) {
        detail::throwDijTooLarge(options.memoryLimitBytes);
      }
      bixelScope.step(++beamDone, mine.size());
      ++done;
    });
  }
  Dij out(problem.doseGrid, problem.voxels, bixels, options.precision);
  for (std::size_t j = 0; j < bixels.size(); ++j) {
    out.setColumn(j, std::move(columnRows[j]), std::move(columnValues[j]));
  }
  out.finalize();
  return out;
}

VolumeF32 SvdPencilBeam::computeFluenceDose(const DoseProblem& problem,
                                            const std::vector<BeamFluence>& fluences,
                                            ProgressMonitor* monitor) const {
  ProgressScope progress(monitor, 0.0, 1.0, "dose");
  std::vector<double> dose(problem.voxels.size(), 0.0);
  for (std::size_t f = 0; f < fluences.size(); ++f) {
    const BeamFluence& bf = fluences[f];
    if (bf.beam < 0 || static_cast<std::size_t>(bf.beam) >= problem.beams.size()) {
      throw InvalidArgumentError("fluence for a beam that is not in the problem");
    }
    const Extent e = fluenceExtent(bf.fluence);
    if (e.xMax < e.xMin) {
      continue; // no fluence
    }
    const BeamSetup& beam = problem.beams[static_cast<std::size_t>(bf.beam)];
    const BeamFrame frame(beam.angles, beam.isocenter, machine_.sadMm, problem.position);
    // Kernels for the SSD on the central axis (or the source distance if it misses the body).
    const double axisSsd = distanceToSurface(problem.density, frame.source(), frame.direction());
    const double ssd = std::isnan(axisSsd) ? frame.sad() : axisSsd;
    // Dose is tabulated out to 100 mm beyond the field (scatter further out is below 0.1%).
    const double margin = 100.0;
    const double half =
        std::max({std::abs(e.xMin), std::abs(e.xMax), std::abs(e.yMin), std::abs(e.yMax)}) + margin;
    const double begin = static_cast<double>(f) / fluences.size();
    const double end = static_cast<double>(f + 1) / fluences.size();
    const ProgressScope depthScope(progress, begin, 0.5 * (begin + end),
                                   "radiological depth, beam " + beam.name);
    const LateralKernelTable table =
        lateralKernelTable(machine_, bf.fluence, kernelSsdNode(ssd), half);
    const detail::BeamVoxels voxels = detail::prepareBeamVoxels(
        machine_, problem, frame, -half, half, -half, half, 10.0, depthScope);
    tbb::parallel_for(std::size_t{0}, voxels.rows.size(), [&](std::size_t n) {
      const Eigen::Vector2f& p = voxels.xy[n];
      dose[voxels.rows[n]] += voxels.factors[n].dot(table.at(p.x(), p.y()));
    });
    progress.report(end);
  }
  VolumeF32 out(problem.doseGrid, 0.0f);
  for (std::size_t n = 0; n < dose.size(); ++n) {
    out[problem.voxels[n]] = static_cast<float>(std::max(0.0, dose[n]));
  }
  return out;
}

} // namespace beamlet::dose
