// The object that builds tests/test_pch.h once for every GoogleTest executable
// (tests/CMakeLists.txt).
