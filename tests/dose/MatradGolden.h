#pragma once
// matRad's golden test case for its SVD pencil-beam engine (shared data
// beam/matrad/photons_testData): a water box in air, two beams, 10 mm bixels, matRad's
// dose-influence matrix and doses. Loaded into Beamlet's types; layout notes in meta.json.

#include "TestData.h"

#include "beamlet/dose/DensityCalibration.h"
#include "beamlet/dose/DoseEngine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace beamlet::test {

struct MatradGolden {
  dose::DoseProblem problem;
  std::vector<dose::Bixel> bixels;
  /// matRad's Dij as dense columns on the whole grid (x fastest), Gy per unit weight.
  std::vector<std::vector<double>> columns;
  std::vector<double> totalDose; ///< resultGUI.physicalDose for w = 1
};

inline QJsonObject readJson(const std::string& path) {
  QFile f(QString::fromStdString(path));
  f.open(QIODevice::ReadOnly);
  return QJsonDocument::fromJson(f.readAll()).object();
}

template <typename T> std::vector<T> readRaw(const std::string& path, std::size_t count) {
  std::vector<T> v(count);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
  if (static_cast<std::size_t>(in.gcount()) != count * sizeof(T)) {
    throw std::runtime_error("short file " + path);
  }
  return v;
}

inline MatradGolden loadMatradGolden() {
  const std::string base = dataPath("beam/matrad/photons_testData/");
  const QJsonObject meta = readJson(base + "meta.json");
  const QJsonObject plan = readJson(base + "plan_stf_dij.json");
  const QJsonArray dims = meta["dims_xyz"].toArray();
  const QJsonArray spacing = meta["spacing_mm_xyz"].toArray();
  const QJsonArray origin = meta["origin_mm_xyz_first_voxel_center"].toArray();
  const ImageGeometry grid(
      {dims[0].toInt(), dims[1].toInt(), dims[2].toInt()},
      Vec3(origin[0].toDouble(), origin[1].toDouble(), origin[2].toDouble()),
      Vec3(spacing[0].toDouble(), spacing[1].toDouble(), spacing[2].toDouble()));
  const std::size_t n = grid.voxelCount();
  std::vector<std::pair<double, double>> points;
  for (const auto& p : meta["hlut_in_file"].toArray()) {
    points.emplace_back(p.toArray()[0].toDouble(), p.toArray()[1].toDouble());
  }
  const dose::DensityCalibration hlut(points);
  const std::vector<std::int16_t> hu = readRaw<std::int16_t>(base + "ct_hu.raw", n);
  MatradGolden g;
  g.problem.density = VolumeF32(grid, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    g.problem.density[i] = static_cast<float>(hlut.relativeElectronDensity(hu[i]));
  }
  g.problem.doseGrid = grid;
  // matRad computes dose in the voxels of its structures (the body covers the target).
  const std::vector<std::uint8_t> body = readRaw<std::uint8_t>(base + "masks/01_Body.raw", n);
  for (std::size_t i = 0; i < n; ++i) {
    if (body[i] != 0) {
      g.problem.voxels.push_back(static_cast<std::uint32_t>(i));
    }
  }
  const QJsonArray beams = plan["beams"].toArray();
  for (int b = 0; b < beams.size(); ++b) {
    const QJsonObject beam = beams[b].toObject();
    dose::BeamSetup s;
    s.name = "beam " + std::to_string(b + 1);
    s.angles.gantryDeg = beam["gantryAngle"].toDouble();
    s.angles.couchDeg = beam["couchAngle"].toDouble();
    const QJsonArray iso = beam["isoCenter"].toArray();
    s.isocenter = Vec3(iso[0].toDouble(), iso[1].toDouble(), iso[2].toDouble());
    g.problem.beams.push_back(s);
  }
  // matRad's beam's-eye view: x along the collimator X axis, z along Y (its y is the beam axis).
  for (const auto& r : plan["rays"].toArray()) {
    const QJsonObject ray = r.toObject();
    dose::Bixel x;
    x.beam = ray["beam"].toInt();
    x.xMm = ray["rayPos_bev"].toArray()[0].toDouble();
    x.yMm = ray["rayPos_bev"].toArray()[2].toDouble();
    x.widthMm = beams[x.beam].toObject()["bixelWidth"].toDouble();
    g.bixels.push_back(x);
  }
  g.columns.assign(g.bixels.size(), std::vector<double>(n, 0.0));
  std::ifstream coo(base + "dij_coo.csv");
  std::string line;
  std::getline(coo, line); // header: bixel0,voxel_matlab_lin0,ix,iy,iz,voxel_xfastest0,dose
  while (std::getline(coo, line)) {
    std::istringstream fields(line);
    std::string f[7];
    for (auto& s : f) {
      std::getline(fields, s, ',');
    }
    g.columns.at(std::stoul(f[0])).at(std::stoul(f[5])) = std::stod(f[6]);
  }
  const std::vector<double> total = readRaw<double>(base + "result_physicalDose_f64.raw", n);
  g.totalDose = total;
  return g;
}

} // namespace beamlet::test
