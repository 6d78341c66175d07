#pragma once
// The one exception hierarchy of Beamlet. Libraries throw these; the app boundary (CLI main, GUI
// actions) catches beamlet::Error and shows what() as a single line with its context.

#include <stdexcept>
#include <string>

namespace beamlet {

/// Base of every error Beamlet reports to a user. what() is one line: "<context>: <problem>".
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message);
};

/// Invalid argument or option given by the caller (CLI flag, API parameter).
class InvalidArgumentError : public Error {
public:
  using Error::Error;
};

/// A file could not be read or written (missing, permissions, disk full).
class IoError : public Error {
public:
  using Error::Error;
};

/// Input data is malformed or not what is required (broken DICOM, missing pixel data, ...).
/// The message names the file.
class DataError : public Error {
public:
  using Error::Error;
};

/// Geometry is inconsistent (mixed orientations, duplicate positions, single slice for a volume).
class GeometryError : public DataError {
public:
  using DataError::DataError;
};

/// The data is valid DICOM but uses something Beamlet does not support (colour CT, HTJ2K, ...).
class UnsupportedError : public DataError {
public:
  using DataError::DataError;
};

/// The user cancelled a long operation (thrown by ProgressMonitor::throwIfCancelled()).
class CancelledError : public Error {
public:
  CancelledError();
};

/// Joins a context (usually a file path) and a problem into the one-line message format.
std::string withContext(const std::string& context, const std::string& problem);

} // namespace beamlet
