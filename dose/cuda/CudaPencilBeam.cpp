#include "CudaPencilBeam.h"

#include "PencilBeamKernels.cuh"
#include "PencilBeamSetup.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/FluenceOptimizer.h"

#include <map>
#include <utility>

namespace beamlet::dose::cuda {

namespace {

static_assert(sizeof(Eigen::Vector2f) == 2 * sizeof(float), "BEV positions must be packed");
static_assert(sizeof(Eigen::Vector4f) == 4 * sizeof(float), "depth factors must be packed");

// What the device needs of a prepared beam (pointers into `beam`, which must outlive it).
gpu::BeamView beamView(const detail::PreparedBeam& beam, const std::vector<Bixel>& bixels,
                       const SvdPencilBeam& engine, const DijOptions& options) {
  const detail::BeamVoxels& voxels = beam.voxels;
  gpu::BeamView view;
  view.voxelCount = voxels.rows.size();
  view.rows = voxels.rows.data();
  view.xy = reinterpret_cast<const float*>(voxels.xy.data());
  view.factors = reinterpret_cast<const float*>(voxels.factors.data());
  view.nx = voxels.nx;
  view.ny = voxels.ny;
  view.start = voxels.start.data();
  view.order = voxels.order.data();
  std::map<const LateralKernelTable*, std::uint32_t> tableIndex;
  for (const auto& entry : beam.tables) {
    const LateralKernelTable& table = entry.second;
    tableIndex.emplace(&table, static_cast<std::uint32_t>(view.tables.size()));
    view.tables.push_back({table.originMm(), table.cellMm(), table.size(),
                           reinterpret_cast<const float*>(table.values().data())});
  }
  for (std::size_t j : beam.bixels) {
    const Bixel& x = bixels[j];
    const double r = detail::bixelReachMm(options, x);
    const detail::BucketRange range = detail::bucketRange(voxels, x, r);
    gpu::BixelTask task;
    task.column = static_cast<std::uint32_t>(j);
    task.x = static_cast<float>(x.xMm);
    task.y = static_cast<float>(x.yMm);
    task.r2 = static_cast<float>(r * r);
    task.table = tableIndex.at(&detail::tableOf(beam, engine, x));
    if (range.bx0 <= range.bx1 && range.by0 <= range.by1) { // else no buckets: left empty
      task.bx0 = range.bx0;
      task.bx1 = range.bx1;
      task.by0 = range.by0;
      task.by1 = range.by1;
    }
    view.bixels.push_back(task);
  }
  return view;
}

} // namespace

bool deviceAvailable(std::string* why) {
  return gpu::probeDevice(nullptr, why);
}

DeviceDij::DeviceDij(std::shared_ptr<const gpu::Csc> csc) : csc_(std::move(csc)) {}

std::size_t DeviceDij::rows() const {
  return gpu::rowsOf(*csc_);
}

std::size_t DeviceDij::columns() const {
  return gpu::columnsOf(*csc_);
}

std::size_t DeviceDij::nonZeros() const {
  return gpu::nonZerosOf(*csc_);
}

std::size_t DeviceDij::bytes() const {
  return gpu::bytesOf(*csc_);
}

std::vector<double> DeviceDij::multiply(const std::vector<double>& w) const {
  return gpu::multiply(*csc_, w);
}

std::vector<double> DeviceDij::multiplyTransposed(const std::vector<double>& d) const {
  return gpu::multiplyTransposed(*csc_, d);
}

void DeviceDij::copyTo(Dij& dij) const {
  if (dij.rows() != rows() || dij.columns() != columns()) {
    throw InvalidArgumentError("DeviceDij::copyTo: the matrices differ in shape");
  }
  // In chunks of up to 8 M entries, so that the host never holds the matrix twice.
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 23;
  const std::vector<std::uint64_t> start = gpu::columnStarts(*csc_);
  std::vector<std::uint32_t> rowIndex;
  std::vector<float> values;
  std::size_t j = 0;
  while (j < columns()) {
    const std::uint64_t first = start[j];
    std::size_t last = j + 1; // this chunk: columns j .. last - 1, at least one
    while (last < columns() && start[last + 1] - first <= kChunk) {
      ++last;
    }
    rowIndex.resize(start[last] - first);
    values.resize(start[last] - first);
    gpu::downloadEntries(*csc_, first, start[last], rowIndex.data(), values.data());
    for (; j < last; ++j) {
      const auto begin = static_cast<std::ptrdiff_t>(start[j] - first);
      const auto end = static_cast<std::ptrdiff_t>(start[j + 1] - first);
      dij.setColumn(j, std::vector<std::uint32_t>(rowIndex.begin() + begin, rowIndex.begin() + end),
                    std::vector<float>(values.begin() + begin, values.begin() + end));
    }
  }
  dij.finalize();
}

CudaPencilBeam::CudaPencilBeam(PhotonMachine machine) : cpu_(std::move(machine)) {
  std::string why;
  if (!gpu::probeDevice(&description_, &why)) {
    throw UnsupportedError("CUDA: " + why);
  }
}

std::string CudaPencilBeam::deviceDescription() const {
  return "CUDA device 0: " + description_;
}

std::shared_ptr<DeviceDij> CudaPencilBeam::computeDeviceDij(const DoseProblem& problem,
                                                            std::vector<Bixel>& bixels,
                                                            const DijOptions& options,
                                                            ProgressMonitor* monitor) const {
  if (problem.voxels.empty()) {
    throw DataError("no dose voxels to compute (are the structures inside the dose grid?)");
  }
  if (problem.voxels.size() >= 0xffffffffu) {
    throw InvalidArgumentError("too many dose voxels for 32-bit row indices");
  }
  ProgressScope progress(monitor, 0.0, 1.0, "dij");
  const std::size_t bytesPerEntry =
      sizeof(std::uint32_t) + (options.precision == DijPrecision::Float32 ? 4 : 2);
  std::size_t bytes = 0;
  gpu::DijBuilder builder(problem.voxels.size(), bixels.size());
  for (std::size_t b = 0; b < problem.beams.size(); ++b) {
    std::vector<std::size_t> mine = detail::bixelsOfBeam(bixels, b);
    if (mine.empty()) {
      continue;
    }
    const double beamBegin = static_cast<double>(b) / problem.beams.size();
    const double beamEnd = static_cast<double>(b + 1) / problem.beams.size();
    const detail::PreparedBeam prepared =
        detail::prepareBeam(cpu_, problem, b, std::move(mine), bixels, options, progress, beamBegin,
                            beamBegin + 0.3 * (beamEnd - beamBegin));
    const ProgressScope bixelScope(progress, beamBegin + 0.3 * (beamEnd - beamBegin), beamEnd,
                                   "bixels, beam " + problem.beams[b].name);
    bixelScope.throwIfCancelled();
    const std::size_t entries = builder.countBeam(beamView(prepared, bixels, cpu_, options));
    bytes += entries * bytesPerEntry;
    if (options.memoryLimitBytes > 0 && bytes > options.memoryLimitBytes) {
      detail::throwDijTooLarge(options.memoryLimitBytes);
    }
    bixelScope.report(0.5);
    bixelScope.throwIfCancelled();
    builder.writeBeam();
    bixelScope.report(1.0);
  }
  return std::make_shared<DeviceDij>(builder.finish());
}

Dij CudaPencilBeam::computeDij(const DoseProblem& problem, std::vector<Bixel> bixels,
                               const DijOptions& options, ProgressMonitor* progress) const {
  std::shared_ptr<DeviceDij> device = computeDeviceDij(problem, bixels, options, progress);
  Dij out(problem.doseGrid, problem.voxels, bixels, options.precision);
  device->copyTo(out);
  const std::lock_guard<std::mutex> lock(mutex_);
  last_ = std::move(device);
  return out;
}

namespace {

// The optimiser's products on the GPU; only the dose and gradient vectors cross to the host.
class DeviceDijMultiplier final : public DoseMultiplier {
public:
  explicit DeviceDijMultiplier(std::shared_ptr<const DeviceDij> dij) : dij_(std::move(dij)) {}
  std::size_t rows() const override { return dij_->rows(); }
  std::size_t columns() const override { return dij_->columns(); }
  std::vector<double> multiply(const std::vector<double>& w) const override {
    return dij_->multiply(w);
  }
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const override {
    return dij_->multiplyTransposed(d);
  }
  std::string device() const override { return "cuda"; }

private:
  std::shared_ptr<const DeviceDij> dij_;
};

} // namespace

std::unique_ptr<DoseMultiplier> CudaPencilBeam::multiplierFor(const Dij& dij) const {
  const std::shared_ptr<DeviceDij> device = lastDeviceDij();
  if (device != nullptr && device->rows() == dij.rows() && device->columns() == dij.columns() &&
      device->nonZeros() == dij.nonZeros()) {
    return std::make_unique<DeviceDijMultiplier>(device);
  }
  return DoseEngine::multiplierFor(dij);
}

std::shared_ptr<DeviceDij> CudaPencilBeam::lastDeviceDij() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

VolumeF32 CudaPencilBeam::computeFluenceDose(const DoseProblem& problem,
                                             const std::vector<BeamFluence>& fluences,
                                             ProgressMonitor* progress) const {
  return cpu_.computeFluenceDose(problem, fluences, progress);
}

} // namespace beamlet::dose::cuda
