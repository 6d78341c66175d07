#include "PencilBeamSetup.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/RadiologicalDepth.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace beamlet::dose::detail {

std::vector<std::size_t> bixelsOfBeam(const std::vector<Bixel>& bixels, std::size_t beam) {
  std::vector<std::size_t> mine;
  for (std::size_t j = 0; j < bixels.size(); ++j) {
    if (bixels[j].beam == static_cast<int>(beam)) {
      mine.push_back(j);
    }
  }
  return mine;
}

PreparedBeam prepareBeam(const SvdPencilBeam& engine, const DoseProblem& problem, std::size_t beam,
                         std::vector<std::size_t> mine, std::vector<Bixel>& bixels,
                         const DijOptions& options, const ProgressScope& progress, double begin,
                         double end) {
  const PhotonMachine& machine = engine.machine();
  const BeamSetup& setup = problem.beams[beam];
  const BeamFrame frame(setup.angles, setup.isocenter, machine.sadMm, problem.position);
  double reach = 0.0;
  double xMin = 1e300;
  double xMax = -1e300;
  double yMin = 1e300;
  double yMax = -1e300;
  for (std::size_t j : mine) {
    const Bixel& x = bixels[j];
    reach = std::max(reach, bixelReachMm(options, x));
    xMin = std::min(xMin, x.xMm);
    xMax = std::max(xMax, x.xMm);
    yMin = std::min(yMin, x.yMm);
    yMax = std::max(yMax, x.yMm);
    // SSD along the bixel's central ray (the source itself when the ray misses the patient).
    const Vec3 through = frame.fromBev(x.xMm, x.yMm, frame.sad());
    const double ssd =
        distanceToSurface(problem.density, frame.source(), (through - frame.source()).normalized());
    bixels[j].ssdMm = std::isnan(ssd) ? frame.sad() : ssd;
  }
  PreparedBeam out;
  const ProgressScope depthScope(progress, begin, end, "radiological depth, beam " + setup.name);
  out.voxels = prepareBeamVoxels(machine, problem, frame, xMin - reach, xMax + reach, yMin - reach,
                                 yMax + reach, std::max(5.0, reach / 8.0), depthScope);

  // Kernel tables, one per bixel width and SSD node.
  for (std::size_t j : mine) {
    out.tables.emplace(std::make_pair(bixels[j].widthMm, engine.kernelSsdNode(bixels[j].ssdMm)),
                       LateralKernelTable());
  }
  std::vector<KernelTables::value_type*> todo;
  for (auto& t : out.tables) {
    todo.push_back(&t);
  }
  tbb::parallel_for(std::size_t{0}, todo.size(), [&](std::size_t t) {
    const double width = todo[t]->first.first;
    todo[t]->second =
        lateralKernelTable(machine, bixelFluence(machine, width), todo[t]->first.second,
                           options.lateralCutoffMm + 0.5 * width + 1.0);
  });
  out.bixels = std::move(mine);
  return out;
}

const LateralKernelTable& tableOf(const PreparedBeam& beam, const SvdPencilBeam& engine,
                                  const Bixel& bixel) {
  return beam.tables.at(std::make_pair(bixel.widthMm, engine.kernelSsdNode(bixel.ssdMm)));
}

BucketRange bucketRange(const BeamVoxels& voxels, const Bixel& x, double r) {
  BucketRange b;
  b.bx0 = std::max(0, static_cast<int>((x.xMm - r - voxels.x0) / voxels.bucketMm));
  b.bx1 = std::min(voxels.nx - 1, static_cast<int>((x.xMm + r - voxels.x0) / voxels.bucketMm));
  b.by0 = std::max(0, static_cast<int>((x.yMm - r - voxels.y0) / voxels.bucketMm));
  b.by1 = std::min(voxels.ny - 1, static_cast<int>((x.yMm + r - voxels.y0) / voxels.bucketMm));
  return b;
}

void throwDijTooLarge(std::size_t limitBytes) {
  throw DataError("the dose-influence matrix needs more than " + std::to_string(limitBytes >> 20) +
                  " MiB: use a coarser dose grid or larger bixels");
}

} // namespace beamlet::dose::detail
