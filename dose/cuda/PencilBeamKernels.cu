// GPU side of the SVD pencil beam: the Dij entries of a beam's bixels (the CPU engine's formula and
// traversal, SvdPencilBeam.cpp), their gathering into one CSC matrix, and the matrix-vector
// products for the optimiser. See PencilBeamKernels.cuh.

#include "PencilBeamKernels.cuh"

#include "beamlet/core/Error.h"

#include <cuda_runtime.h>

#include <mutex>
#include <utility>

namespace beamlet::dose::cuda::gpu {

namespace {

constexpr int kThreads = 256; // per block; a multiple of the warp size
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFullMask = 0xffffffffu;

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw Error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
  }
}

// Owned device memory of n elements of T (none for n = 0).
template <typename T> class DeviceArray {
public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t n) : size_(n) {
    if (n > 0) {
      void* p = nullptr;
      const cudaError_t status = cudaMalloc(&p, n * sizeof(T));
      if (status != cudaSuccess) {
        throw Error("CUDA: cannot allocate " + std::to_string((n * sizeof(T)) >> 20) +
                    " MiB of device memory: " + cudaGetErrorString(status));
      }
      data_ = static_cast<T*>(p);
    }
  }
  DeviceArray(const T* host, std::size_t n) : DeviceArray(n) {
    if (n > 0) {
      check(cudaMemcpy(data_, host, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
    }
  }
  DeviceArray(DeviceArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { release(); }

  T* get() const { return data_; }
  std::size_t size() const { return size_; }
  void copyTo(T* host) const {
    if (size_ > 0) {
      check(cudaMemcpy(host, data_, size_ * sizeof(T), cudaMemcpyDeviceToHost), "download");
    }
  }

private:
  void release() {
    if (data_ != nullptr) {
      cudaFree(data_);
    }
    data_ = nullptr;
    size_ = 0;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

template <typename T> DeviceArray<T> upload(const std::vector<T>& host) {
  return DeviceArray<T>(host.data(), host.size());
}

struct DeviceTable {
  float origin = 0.0f;
  float cell = 0.5f;
  int size = 0;
  std::uint64_t offset = 0; // first point in the beam's table points
};

struct DeviceBeam {
  const std::uint32_t* rows;
  const float2* xy;
  const float4* factors;
  int nx;
  const std::uint32_t* start;
  const std::uint32_t* order;
  const DeviceTable* tables;
  const float4* points;
};

// A column's entries moved from a beam's buffer into the final matrix.
struct ColumnMove {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint32_t count = 0;
};

// All arithmetic of an entry uses explicitly rounded operations: the compiler may not contract or
// reorder them, so the counting and the writing pass (separate instantiations) agree bit for bit.
__device__ __forceinline__ float lerp(float a, float b, float t) {
  return __fmaf_rn(t, __fsub_rn(b, a), a);
}

// The entry of voxel order[s] for bixel t: false when out of reach or not positive. The radius
// test is unfused as on the CPU (the same voxels are in reach); the look-up is
// LateralKernelTable::at in float.
__device__ __forceinline__ bool entry(const DeviceBeam& beam, const BixelTask& t,
                                      const DeviceTable& table, std::uint32_t s, std::uint32_t& row,
                                      float& value) {
  const std::uint32_t n = beam.order[s];
  const float2 p = beam.xy[n];
  const float dx = __fsub_rn(p.x, t.x);
  const float dy = __fsub_rn(p.y, t.y);
  if (__fadd_rn(__fmul_rn(dx, dx), __fmul_rn(dy, dy)) > t.r2) {
    return false;
  }
  const float fx = __fdiv_rn(__fsub_rn(dx, table.origin), table.cell);
  const float fy = __fdiv_rn(__fsub_rn(dy, table.origin), table.cell);
  const float last = static_cast<float>(table.size - 1);
  if (!(fx >= 0.0f && fy >= 0.0f && fx < last && fy < last)) {
    return false;
  }
  const int i = static_cast<int>(fx);
  const int j = static_cast<int>(fy);
  const float ax = __fsub_rn(fx, static_cast<float>(i));
  const float ay = __fsub_rn(fy, static_cast<float>(j));
  const float4* c = beam.points + table.offset + static_cast<std::uint64_t>(j) * table.size + i;
  const float4 c00 = __ldg(c);
  const float4 c10 = __ldg(c + 1);
  const float4 c01 = __ldg(c + table.size);
  const float4 c11 = __ldg(c + table.size + 1);
  const float4 a = __ldg(beam.factors + n);
  const float k0 = lerp(lerp(c00.x, c10.x, ax), lerp(c01.x, c11.x, ax), ay);
  const float k1 = lerp(lerp(c00.y, c10.y, ax), lerp(c01.y, c11.y, ax), ay);
  const float k2 = lerp(lerp(c00.z, c10.z, ax), lerp(c01.z, c11.z, ax), ay);
  // The fourth factor and table entry are 0.
  value = __fmaf_rn(a.z, k2, __fmaf_rn(a.y, k1, __fmul_rn(a.x, k0)));
  row = beam.rows[n];
  return value > 0.0f;
}

// One block per bixel. The voxels of a bucket row's buckets bx0..bx1 are contiguous in `order`,
// so the block walks one range per bucket row, kThreads voxels at a time. Counting pass: counts[b]
// = entries of task b. Writing pass: the counts[b] entries at offsets[b] onwards in traversal
// order (a block prefix sum of the kept flags per step, so the order is deterministic; never more
// than counted).
template <bool kWrite>
__global__ void __launch_bounds__(kThreads)
    bixelColumns(DeviceBeam beam, const BixelTask* tasks, std::uint32_t* counts,
                 const std::uint64_t* offsets, std::uint32_t* outRows, float* outValues) {
  __shared__ std::uint32_t warpCount[kWarps];
  __shared__ std::uint32_t warpBase[kWarps];
  __shared__ std::uint32_t stepTotal;
  const BixelTask t = tasks[blockIdx.x];
  const DeviceTable table = beam.tables[t.table];
  const int lane = static_cast<int>(threadIdx.x) & 31;
  const int warp = static_cast<int>(threadIdx.x) >> 5;
  std::uint32_t found = 0; // the same in every thread
  for (int by = t.by0; by <= t.by1; ++by) {
    const std::uint64_t bucketRow = static_cast<std::uint64_t>(by) * beam.nx;
    const std::uint32_t begin = beam.start[bucketRow + t.bx0];
    const std::uint32_t end = beam.start[bucketRow + t.bx1 + 1];
    for (std::uint32_t base = begin; base < end; base += kThreads) {
      const std::uint32_t s = base + threadIdx.x;
      std::uint32_t row = 0;
      float value = 0.0f;
      const bool keep = s < end && entry(beam, t, table, s, row, value);
      if constexpr (!kWrite) {
        found += static_cast<std::uint32_t>(__syncthreads_count(keep ? 1 : 0));
      } else {
        const unsigned ballot = __ballot_sync(kFullMask, keep);
        if (lane == 0) {
          warpCount[warp] = static_cast<std::uint32_t>(__popc(ballot));
        }
        __syncthreads();
        if (threadIdx.x == 0) {
          std::uint32_t sum = 0;
          for (int w = 0; w < kWarps; ++w) {
            warpBase[w] = sum;
            sum += warpCount[w];
          }
          stepTotal = sum;
        }
        __syncthreads();
        const std::uint32_t k = found + warpBase[warp] +
                                static_cast<std::uint32_t>(__popc(ballot & ((1u << lane) - 1u)));
        if (keep && k < counts[blockIdx.x]) {
          outRows[offsets[blockIdx.x] + k] = row;
          outValues[offsets[blockIdx.x] + k] = value;
        }
        found += stepTotal;
        __syncthreads(); // warpCount and stepTotal are reused by the next step
      }
    }
  }
  if constexpr (!kWrite) {
    if (threadIdx.x == 0) {
      counts[blockIdx.x] = found;
    }
  }
}

// One block per column.
__global__ void gatherColumns(const ColumnMove* moves, const std::uint32_t* fromRows,
                              const float* fromValues, std::uint32_t* toRows, float* toValues) {
  const ColumnMove m = moves[blockIdx.x];
  for (std::uint32_t k = threadIdx.x; k < m.count; k += blockDim.x) {
    toRows[m.to + k] = fromRows[m.from + k];
    toValues[m.to + k] = fromValues[m.from + k];
  }
}

// d += A w, one warp per column, atomic adds on the rows (d zeroed before).
__global__ void cscMultiply(std::size_t columns, const std::uint64_t* start,
                            const std::uint32_t* rows, const float* values, const double* w,
                            double* d) {
  const std::size_t thread = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::size_t j = thread / 32;
  if (j >= columns || w[j] == 0.0) {
    return;
  }
  const double wj = w[j];
  for (std::uint64_t n = start[j] + thread % 32; n < start[j + 1]; n += 32) {
    atomicAdd(d + rows[n], wj * static_cast<double>(values[n]));
  }
}

// g = A^T d, one warp per column.
__global__ void cscMultiplyTransposed(std::size_t columns, const std::uint64_t* start,
                                      const std::uint32_t* rows, const float* values,
                                      const double* d, double* g) {
  const std::size_t thread = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::size_t j = thread / 32;
  if (j >= columns) {
    return; // the whole warp
  }
  double sum = 0.0;
  for (std::uint64_t n = start[j] + thread % 32; n < start[j + 1]; n += 32) {
    sum += d[rows[n]] * static_cast<double>(values[n]);
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    sum += __shfl_down_sync(kFullMask, sum, offset);
  }
  if (thread % 32 == 0) {
    g[j] = sum;
  }
}

unsigned blocksFor(std::size_t threads) {
  return static_cast<unsigned>((threads + kThreads - 1) / kThreads);
}

struct Probe {
  bool usable = false;
  std::string description;
  std::string why;
};

Probe probe() {
  Probe p;
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaErrorInsufficientDriver) {
    p.why = "no NVIDIA driver, or one too old for the CUDA " +
            std::to_string(CUDART_VERSION / 1000) + " runtime";
  } else if (status == cudaErrorNoDevice || (status == cudaSuccess && count == 0)) {
    p.why = "no CUDA device";
  } else if (status != cudaSuccess) {
    p.why = std::string("CUDA runtime: ") + cudaGetErrorString(status);
  }
  if (status != cudaSuccess || count == 0) {
    cudaGetLastError(); // not sticky; cleared for later calls
    return p;
  }
  cudaDeviceProp prop{};
  status = cudaGetDeviceProperties(&prop, 0);
  if (status != cudaSuccess) {
    p.why = std::string("CUDA device 0: ") + cudaGetErrorString(status);
    cudaGetLastError();
    return p;
  }
  const std::string capability = std::to_string(prop.major) + "." + std::to_string(prop.minor);
  p.description = std::string(prop.name) + " (compute capability " + capability + ", " +
                  std::to_string(prop.totalGlobalMem >> 30) + " GiB)";
  // The kernels are built for sm_75 and newer; a device without an image for them fails here.
  cudaFuncAttributes attributes{};
  status = cudaFuncGetAttributes(&attributes, bixelColumns<false>);
  if (status != cudaSuccess) {
    p.why = p.description + ": " + cudaGetErrorString(status) +
            " (this build targets compute capability 7.5 and newer)";
    cudaGetLastError();
    return p;
  }
  p.usable = true;
  return p;
}

} // namespace

bool probeDevice(std::string* description, std::string* why) {
  static const Probe result = probe();
  if (description != nullptr) {
    *description = result.description;
  }
  if (why != nullptr) {
    *why = result.why;
  }
  return result.usable;
}

struct Csc {
  std::size_t rows = 0;
  std::size_t columns = 0;
  DeviceArray<std::uint64_t> start;
  DeviceArray<std::uint32_t> rowIndex;
  DeviceArray<float> values;
  // Vectors of the products, kept between calls (the optimiser multiplies many times).
  mutable std::mutex mutex;
  mutable DeviceArray<double> columnVector;
  mutable DeviceArray<double> rowVector;

  void scratch() const {
    if (columnVector.size() != columns) {
      columnVector = DeviceArray<double>(columns);
    }
    if (rowVector.size() != rows) {
      rowVector = DeviceArray<double>(rows);
    }
  }
};

std::size_t rowsOf(const Csc& csc) {
  return csc.rows;
}

std::size_t columnsOf(const Csc& csc) {
  return csc.columns;
}

std::size_t nonZerosOf(const Csc& csc) {
  return csc.rowIndex.size();
}

std::size_t bytesOf(const Csc& csc) {
  return csc.start.size() * sizeof(std::uint64_t) + csc.rowIndex.size() * sizeof(std::uint32_t) +
         csc.values.size() * sizeof(float);
}

std::vector<std::uint64_t> columnStarts(const Csc& csc) {
  std::vector<std::uint64_t> start(csc.start.size());
  csc.start.copyTo(start.data());
  return start;
}

void downloadEntries(const Csc& csc, std::uint64_t begin, std::uint64_t end, std::uint32_t* rows,
                     float* values) {
  if (begin > end || end > csc.rowIndex.size()) {
    throw InvalidArgumentError("DeviceDij: entries out of range");
  }
  if (end > begin) {
    check(cudaMemcpy(rows, csc.rowIndex.get() + begin, (end - begin) * sizeof(std::uint32_t),
                     cudaMemcpyDeviceToHost),
          "download rows");
    check(cudaMemcpy(values, csc.values.get() + begin, (end - begin) * sizeof(float),
                     cudaMemcpyDeviceToHost),
          "download values");
  }
}

std::vector<double> multiply(const Csc& csc, const std::vector<double>& w) {
  if (w.size() != csc.columns) {
    throw InvalidArgumentError("DeviceDij::multiply: " + std::to_string(w.size()) +
                               " weights for " + std::to_string(csc.columns) + " bixels");
  }
  std::vector<double> d(csc.rows, 0.0);
  if (csc.rows == 0 || csc.columns == 0) {
    return d;
  }
  const std::lock_guard<std::mutex> lock(csc.mutex);
  csc.scratch();
  check(cudaMemcpy(csc.columnVector.get(), w.data(), w.size() * sizeof(double),
                   cudaMemcpyHostToDevice),
        "upload weights");
  check(cudaMemset(csc.rowVector.get(), 0, csc.rows * sizeof(double)), "clear dose");
  cscMultiply<<<blocksFor(csc.columns * 32), kThreads>>>(
      csc.columns, csc.start.get(), csc.rowIndex.get(), csc.values.get(), csc.columnVector.get(),
      csc.rowVector.get());
  check(cudaGetLastError(), "multiply");
  csc.rowVector.copyTo(d.data());
  return d;
}

std::vector<double> multiplyTransposed(const Csc& csc, const std::vector<double>& d) {
  if (d.size() != csc.rows) {
    throw InvalidArgumentError("DeviceDij::multiplyTransposed: dose vector length differs from "
                               "rows");
  }
  std::vector<double> g(csc.columns, 0.0);
  if (csc.rows == 0 || csc.columns == 0) {
    return g;
  }
  const std::lock_guard<std::mutex> lock(csc.mutex);
  csc.scratch();
  check(
      cudaMemcpy(csc.rowVector.get(), d.data(), d.size() * sizeof(double), cudaMemcpyHostToDevice),
      "upload dose");
  cscMultiplyTransposed<<<blocksFor(csc.columns * 32), kThreads>>>(
      csc.columns, csc.start.get(), csc.rowIndex.get(), csc.values.get(), csc.rowVector.get(),
      csc.columnVector.get());
  check(cudaGetLastError(), "multiply transposed");
  csc.columnVector.copyTo(g.data());
  return g;
}

struct DijBuilder::State {
  std::size_t rows = 0;
  std::size_t columns = 0;
  // The beam being computed.
  DeviceArray<std::uint32_t> voxelRows;
  DeviceArray<float> xy;
  DeviceArray<float> factors;
  DeviceArray<std::uint32_t> start;
  DeviceArray<std::uint32_t> order;
  DeviceArray<DeviceTable> tables;
  DeviceArray<float> points;
  DeviceArray<BixelTask> tasks;
  DeviceArray<std::uint32_t> taskCounts;
  DeviceBeam beam{};
  std::vector<BixelTask> hostTasks;
  std::vector<std::uint32_t> counts;
  bool counted = false;
  // Finished beams: their columns' entries one after the other, in task order.
  struct Done {
    std::vector<BixelTask> tasks;
    std::vector<std::uint32_t> counts;
    std::vector<std::uint64_t> offsets;
    DeviceArray<std::uint32_t> rows;
    DeviceArray<float> values;
  };
  std::vector<Done> done;
};

DijBuilder::DijBuilder(std::size_t rows, std::size_t columns) : state_(std::make_unique<State>()) {
  state_->rows = rows;
  state_->columns = columns;
}

DijBuilder::~DijBuilder() = default;

std::size_t DijBuilder::countBeam(const BeamView& view) {
  State& s = *state_;
  const std::size_t n = view.voxelCount;
  const std::size_t buckets = static_cast<std::size_t>(view.nx) * view.ny + 1;
  s.voxelRows = DeviceArray<std::uint32_t>(view.rows, n);
  s.xy = DeviceArray<float>(view.xy, 2 * n);
  s.factors = DeviceArray<float>(view.factors, 4 * n);
  s.start = DeviceArray<std::uint32_t>(view.start, buckets);
  s.order = DeviceArray<std::uint32_t>(view.order, n);
  std::vector<DeviceTable> tables(view.tables.size());
  std::uint64_t points = 0;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    tables[t].origin = static_cast<float>(view.tables[t].originMm);
    tables[t].cell = static_cast<float>(view.tables[t].cellMm);
    tables[t].size = view.tables[t].size;
    tables[t].offset = points;
    points += static_cast<std::uint64_t>(view.tables[t].size) * view.tables[t].size;
  }
  s.points = DeviceArray<float>(4 * points);
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const std::size_t floats = 4 * static_cast<std::size_t>(view.tables[t].size) *
                               static_cast<std::size_t>(view.tables[t].size);
    check(cudaMemcpy(s.points.get() + 4 * tables[t].offset, view.tables[t].values,
                     floats * sizeof(float), cudaMemcpyHostToDevice),
          "upload kernel table");
  }
  s.tables = upload(tables);
  s.hostTasks = view.bixels;
  s.tasks = upload(s.hostTasks);
  s.beam.rows = s.voxelRows.get();
  s.beam.xy = reinterpret_cast<const float2*>(s.xy.get());
  s.beam.factors = reinterpret_cast<const float4*>(s.factors.get());
  s.beam.nx = view.nx;
  s.beam.start = s.start.get();
  s.beam.order = s.order.get();
  s.beam.tables = s.tables.get();
  s.beam.points = reinterpret_cast<const float4*>(s.points.get());

  s.counts.assign(s.hostTasks.size(), 0);
  std::size_t total = 0;
  if (!s.hostTasks.empty()) {
    s.taskCounts = DeviceArray<std::uint32_t>(s.hostTasks.size());
    bixelColumns<false><<<static_cast<unsigned>(s.hostTasks.size()), kThreads>>>(
        s.beam, s.tasks.get(), s.taskCounts.get(), nullptr, nullptr, nullptr);
    check(cudaGetLastError(), "count kernel");
    s.taskCounts.copyTo(s.counts.data());
    for (std::uint32_t c : s.counts) {
      total += c;
    }
  }
  s.counted = true;
  return total;
}

void DijBuilder::writeBeam() {
  State& s = *state_;
  if (!s.counted) {
    throw Error("DijBuilder::writeBeam without countBeam");
  }
  State::Done d;
  d.offsets.resize(s.counts.size());
  std::uint64_t total = 0;
  for (std::size_t t = 0; t < s.counts.size(); ++t) {
    d.offsets[t] = total;
    total += s.counts[t];
  }
  d.rows = DeviceArray<std::uint32_t>(total);
  d.values = DeviceArray<float>(total);
  if (total > 0) {
    const DeviceArray<std::uint64_t> offsets = upload(d.offsets);
    check(cudaMemset(d.rows.get(), 0, total * sizeof(std::uint32_t)), "clear rows");
    check(cudaMemset(d.values.get(), 0, total * sizeof(float)), "clear values");
    bixelColumns<true><<<static_cast<unsigned>(s.hostTasks.size()), kThreads>>>(
        s.beam, s.tasks.get(), s.taskCounts.get(), offsets.get(), d.rows.get(), d.values.get());
    check(cudaGetLastError(), "write kernel");
    check(cudaDeviceSynchronize(), "write kernel");
  }
  d.tasks = std::move(s.hostTasks);
  d.counts = std::move(s.counts);
  s.done.push_back(std::move(d));
  // Free the beam's inputs before the next one.
  s.voxelRows = {};
  s.xy = {};
  s.factors = {};
  s.start = {};
  s.order = {};
  s.tables = {};
  s.points = {};
  s.tasks = {};
  s.taskCounts = {};
  s.hostTasks.clear();
  s.counts.clear();
  s.counted = false;
}

std::shared_ptr<Csc> DijBuilder::finish() {
  State& s = *state_;
  std::vector<std::uint64_t> start(s.columns + 1, 0);
  for (const State::Done& d : s.done) {
    for (std::size_t t = 0; t < d.tasks.size(); ++t) {
      start[d.tasks[t].column + 1] = d.counts[t];
    }
  }
  for (std::size_t j = 0; j < s.columns; ++j) {
    start[j + 1] += start[j];
  }
  auto csc = std::make_shared<Csc>();
  csc->rows = s.rows;
  csc->columns = s.columns;
  csc->start = upload(start);
  csc->rowIndex = DeviceArray<std::uint32_t>(start.back());
  csc->values = DeviceArray<float>(start.back());
  for (State::Done& d : s.done) {
    std::vector<ColumnMove> moves(d.tasks.size());
    for (std::size_t t = 0; t < d.tasks.size(); ++t) {
      moves[t].from = d.offsets[t];
      moves[t].to = start[d.tasks[t].column];
      moves[t].count = d.counts[t];
    }
    if (!moves.empty() && d.rows.size() > 0) {
      const DeviceArray<ColumnMove> deviceMoves = upload(moves);
      gatherColumns<<<static_cast<unsigned>(moves.size()), kThreads>>>(
          deviceMoves.get(), d.rows.get(), d.values.get(), csc->rowIndex.get(), csc->values.get());
      check(cudaGetLastError(), "gather kernel");
      check(cudaDeviceSynchronize(), "gather kernel");
    }
    d.rows = {};
    d.values = {};
  }
  s.done.clear();
  return csc;
}

} // namespace beamlet::dose::cuda::gpu
