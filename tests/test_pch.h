// Precompiled once and reused by every GoogleTest executable (tests/CMakeLists.txt): the headers
// nearly every test file includes and that cost most of its parse (GoogleTest, gMock,
// nlohmann::json, the engine's API).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"
