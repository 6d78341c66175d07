#pragma once
// Host interface of the GPU side of the SVD pencil beam (PencilBeamKernels.cu). Plain C++ without
// CUDA types, so that the engine's host code (CudaPencilBeam.cpp) is compiled by the C++ compiler
// with the project's warnings; device memory stays behind the opaque Csc and DijBuilder.
//
// The Dij is built per beam in two passes over the same traversal, one thread block per bixel:
// the first counts the entries of each column, the second writes them at offsets from the
// counts' prefix sum, in the CPU engine's order (bucket rows, then buckets, then voxels). The
// columns of all beams are then gathered into one CSC matrix in bixel order.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace beamlet::dose::cuda::gpu {

/// Whether device 0 is usable by this build; `description` gets its name and capability, `why`
/// the reason when it is not (either may be null). Probed once per process.
bool probeDevice(std::string* description, std::string* why);

/// A lateral kernel table on the host (LateralKernelTable): size x size points of 4 floats.
struct TableView {
  double originMm = 0.0;
  double cellMm = 0.5;
  int size = 0;
  const float* values = nullptr;
};

/// One bixel of a beam to compute: its column, centre, squared reach, table and buckets.
struct BixelTask {
  std::uint32_t column = 0;
  float x = 0.0f;
  float y = 0.0f;
  float r2 = 0.0f;
  std::uint32_t table = 0;
  int bx0 = 0;
  int bx1 = -1;
  int by0 = 0;
  int by1 = -1;
};

/// A beam's voxels (BeamVoxels.h) and bixels, as host arrays.
struct BeamView {
  std::size_t voxelCount = 0;
  const std::uint32_t* rows = nullptr;  ///< voxelCount compact rows
  const float* xy = nullptr;            ///< 2 x voxelCount, BEV mm at the isocentre plane
  const float* factors = nullptr;       ///< 4 x voxelCount depth factors
  int nx = 0;                           ///< buckets along x
  int ny = 0;                           ///< buckets along y
  const std::uint32_t* start = nullptr; ///< nx * ny + 1 bucket starts into order
  const std::uint32_t* order = nullptr; ///< voxelCount voxel indices by bucket
  std::vector<TableView> tables;
  std::vector<BixelTask> bixels;
};

/// A CSC matrix in device memory: 64-bit column starts, 32-bit rows, float values.
struct Csc;

std::size_t rowsOf(const Csc& csc);
std::size_t columnsOf(const Csc& csc);
std::size_t nonZerosOf(const Csc& csc);
/// Device bytes held (starts, rows, values).
std::size_t bytesOf(const Csc& csc);
/// The columns' starts (columns + 1 entries, the last the number of entries).
std::vector<std::uint64_t> columnStarts(const Csc& csc);
/// Copies entries [begin, end) to the host.
void downloadEntries(const Csc& csc, std::uint64_t begin, std::uint64_t end, std::uint32_t* rows,
                     float* values);
/// d = A w on the device (double accumulation).
std::vector<double> multiply(const Csc& csc, const std::vector<double>& w);
/// g = A^T d on the device (double accumulation).
std::vector<double> multiplyTransposed(const Csc& csc, const std::vector<double>& d);

/// Builds a Csc of `rows` x `columns` beam by beam: countBeam, then writeBeam, for each beam.
class DijBuilder {
public:
  DijBuilder(std::size_t rows, std::size_t columns);
  ~DijBuilder();
  DijBuilder(const DijBuilder&) = delete;
  DijBuilder& operator=(const DijBuilder&) = delete;

  /// Uploads the beam and counts its entries; returns their number.
  std::size_t countBeam(const BeamView& beam);
  /// Writes the entries counted by the last countBeam into device memory and frees the beam.
  void writeBeam();
  /// All columns as one matrix (columns of no beam are empty). The builder is spent.
  std::shared_ptr<Csc> finish();

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace beamlet::dose::cuda::gpu
