#pragma once
// Finding the shared test data: BEAMLET_TEST_DATA, else ../shared/data next to the checkout.
// Without it a test skips with a message, unless BEAMLET_REQUIRE_TEST_DATA=1 (CI), where it fails.

#include <QtTest/QtTest>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace beamlet::test {

inline std::string testDataDir() {
  if (const char* env = std::getenv("BEAMLET_TEST_DATA")) {
    if (*env != '\0') {
      return env;
    }
  }
  return BEAMLET_TEST_DATA_DEFAULT;
}

inline bool testDataRequired() {
  const char* env = std::getenv("BEAMLET_REQUIRE_TEST_DATA");
  return env != nullptr && std::string(env) == "1";
}

/// Full path of a file or folder under the test data.
inline std::string dataPath(const std::string& relative) {
  return (std::filesystem::path(testDataDir()) / relative).string();
}

/// The same as a QString (for command lines).
inline QString dataArg(const std::string& relative) {
  return QString::fromStdString(dataPath(relative));
}

} // namespace beamlet::test

/// In a Qt Test slot: skip (or fail when data is required) if the data path is missing.
#define BEAMLET_REQUIRE_DATA(relative)                                                             \
  do {                                                                                             \
    const std::string beamletDataPath_ = beamlet::test::dataPath(relative);                        \
    if (!std::filesystem::exists(beamletDataPath_)) {                                              \
      const QByteArray beamletMsg_ = QByteArray("test data missing: ") +                           \
                                     beamletDataPath_.c_str() + " (set BEAMLET_TEST_DATA)";        \
      if (beamlet::test::testDataRequired()) {                                                     \
        QFAIL(beamletMsg_.constData());                                                            \
      }                                                                                            \
      QSKIP(beamletMsg_.constData());                                                              \
    }                                                                                              \
  } while (false)

/// Runs a statement; any exception becomes a test failure with its message (Qt Test would abort).
#define BEAMLET_NO_THROW(statement)                                                                \
  do {                                                                                             \
    try {                                                                                          \
      statement;                                                                                   \
    } catch (const std::exception& beamletError_) {                                                \
      QFAIL(beamletError_.what());                                                                 \
    }                                                                                              \
  } while (false)
