// Benchmark: load a 512x512 multi-slice CT series, against dcm2niix on the same files in the same
// run. Writes seconds, MB/s and the ratio to bench/series_load.json in the build folder.
//
// The series is generated here (DCMTK writes it): 12-bit unsigned CT, rescale intercept -1024,
// explicit VR little endian, file names in shuffled order so that sorting is exercised.

#include "BenchTiming.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

using beamlet::bench::best;
using beamlet::bench::run;
using beamlet::bench::seconds;

namespace {

constexpr int kSize = 512;

void writeSeries(const fs::path& dir, int slices) {
  char study[100];
  char series[100];
  char frame[100];
  dcmGenerateUniqueIdentifier(study, SITE_STUDY_UID_ROOT);
  dcmGenerateUniqueIdentifier(series, SITE_SERIES_UID_ROOT);
  dcmGenerateUniqueIdentifier(frame, SITE_SERIES_UID_ROOT);
  std::vector<int> names(static_cast<std::size_t>(slices));
  for (int k = 0; k < slices; ++k) {
    names[static_cast<std::size_t>(k)] = k;
  }
  std::shuffle(names.begin(), names.end(), std::mt19937(42));
  std::vector<Uint16> pixels(static_cast<std::size_t>(kSize) * kSize);
  for (int k = 0; k < slices; ++k) {
    for (int j = 0; j < kSize; ++j) {
      for (int i = 0; i < kSize; ++i) {
        const double r = std::hypot(i - 256.0, (j - 256.0) * 1.3);
        const int hu = r < 200 ? (r > 185 ? 700 : (i * 7 + j * 3 + k) % 80) : -1000;
        pixels[static_cast<std::size_t>(j) * kSize + i] = static_cast<Uint16>(hu + 1024);
      }
    }
    DcmFileFormat file;
    DcmDataset* ds = file.getDataset();
    char sop[100];
    dcmGenerateUniqueIdentifier(sop, SITE_INSTANCE_UID_ROOT);
    ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    ds->putAndInsertString(DCM_SOPInstanceUID, sop);
    ds->putAndInsertString(DCM_StudyInstanceUID, study);
    ds->putAndInsertString(DCM_SeriesInstanceUID, series);
    ds->putAndInsertString(DCM_FrameOfReferenceUID, frame);
    ds->putAndInsertString(DCM_Modality, "CT");
    ds->putAndInsertString(DCM_PatientID, "BENCH");
    ds->putAndInsertString(DCM_PatientName, "Bench^Series");
    ds->putAndInsertString(DCM_InstanceNumber, std::to_string(slices - k).c_str());
    const std::string position = "-250\\-250\\" + std::to_string(-300 + 2.5 * k);
    ds->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
    ds->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    ds->putAndInsertString(DCM_PixelSpacing, "0.9765625\\0.9765625");
    ds->putAndInsertString(DCM_SliceThickness, "2.5");
    ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds->putAndInsertUint16(DCM_Rows, kSize);
    ds->putAndInsertUint16(DCM_Columns, kSize);
    ds->putAndInsertUint16(DCM_BitsAllocated, 16);
    ds->putAndInsertUint16(DCM_BitsStored, 12);
    ds->putAndInsertUint16(DCM_HighBit, 11);
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
    ds->putAndInsertString(DCM_RescaleSlope, "1");
    ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(), pixels.size());
    const fs::path name = dir / ("img" + std::to_string(names[static_cast<std::size_t>(k)]));
    if (file.saveFile(name.c_str(), EXS_LittleEndianExplicit).bad()) {
      throw beamlet::IoError(name.string() + ": cannot write benchmark series");
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  const int slices = argc > 1 ? std::atoi(argv[1]) : 200;
  // --keep leaves the generated series in place (for profiling by hand).
  const bool keep = argc > 2 && std::string(argv[2]) == "--keep";
  const fs::path work = fs::temp_directory_path() / "beamlet-bench-series";
  const fs::path dicomDir = work / "dicom";
  const fs::path outDir = work / "out";
  const fs::path resultDir = fs::path(BEAMLET_BINARY_DIR) / "bench";
  try {
    fs::remove_all(work);
    fs::create_directories(dicomDir);
    fs::create_directories(outDir);
    fs::create_directories(resultDir);
    writeSeries(dicomDir, slices);
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::directory_iterator(dicomDir)) {
      bytes += e.file_size();
    }
    const double mb = static_cast<double>(bytes) / 1e6;

    const std::string cli = std::string(BEAMLET_BINARY_DIR) + "/bin/beamlet-cli -q convert " +
                            dicomDir.string() + " --out " + (outDir / "beamlet.nii").string() +
                            " > /dev/null";
    const std::string peer = "dcm2niix -z n -f peer -o " + outDir.string() + " " +
                             dicomDir.string() + " > /dev/null 2>&1";
    const bool havePeer = std::system("command -v dcm2niix > /dev/null 2>&1") == 0;

    const double inProcess = best(3, [&] {
      const auto index = beamlet::dicom::scanFolder(dicomDir.string());
      const auto image = beamlet::dicom::loadSeries(*index.allSeries().front());
      if (image.geometry().dims[2] != slices) {
        throw beamlet::Error("benchmark series loaded with the wrong slice count");
      }
    });
    const double cliSeconds = best(3, [&] { run(cli); });
    const double peerSeconds = havePeer ? best(3, [&] { run(peer); }) : 0.0;

    std::ofstream json(resultDir / "series_load.json");
    json << "{\n  \"benchmark\": \"series_load\",\n"
         << "  \"series\": \"CT " << kSize << "x" << kSize << "x" << slices
         << ", 16-bit uncompressed, explicit VR little endian\",\n"
         << "  \"inputMegabytes\": " << mb << ",\n"
         << "  \"threads\": " << std::thread::hardware_concurrency() << ",\n"
         << "  \"beamletLoadSeconds\": " << inProcess << ",\n"
         << "  \"beamletLoadMBps\": " << mb / inProcess << ",\n"
         << "  \"beamletCliConvertSeconds\": " << cliSeconds << ",\n"
         << "  \"beamletCliConvertMBps\": " << mb / cliSeconds << ",\n";
    if (havePeer) {
      json << "  \"dcm2niixSeconds\": " << peerSeconds << ",\n"
           << "  \"dcm2niixMBps\": " << mb / peerSeconds << ",\n"
           << "  \"ratioCliToDcm2niix\": " << cliSeconds / peerSeconds << "\n";
    } else {
      json << "  \"dcm2niixSeconds\": null\n";
    }
    json << "}\n";
    json.close();
    std::printf("series load %dx%dx%d (%.1f MB): beamlet load %.3f s (%.0f MB/s), beamlet-cli "
                "convert %.3f s",
                kSize, kSize, slices, mb, inProcess, mb / inProcess, cliSeconds);
    if (havePeer) {
      std::printf(", dcm2niix %.3f s (%.0f MB/s), ratio cli/dcm2niix %.2f\n", peerSeconds,
                  mb / peerSeconds, cliSeconds / peerSeconds);
    } else {
      std::printf(", dcm2niix not installed\n");
    }
    std::printf("results: %s\n", (resultDir / "series_load.json").c_str());
    if (!keep) {
      fs::remove_all(work);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_series_load: error: %s\n", e.what());
    fs::remove_all(work);
    return 1;
  }
}
