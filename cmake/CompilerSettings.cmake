# Language level, output folders, warnings and ccache for every target of the project.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_C_STANDARD 99)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib")
set(CMAKE_ARCHIVE_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/lib")

find_program(RVC_CCACHE ccache)
if(RVC_CCACHE)
  # Paths relative to the source folder, so fresh clones in other folders (CI) still hit the cache.
  # The sloppiness lets ccache cache translation units that use the precompiled torch header.
  set(RVC_CCACHE_LAUNCHER "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime" "${RVC_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER ${RVC_CCACHE_LAUNCHER})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${RVC_CCACHE_LAUNCHER})
endif()

# Applied per target so that third-party code (gtest, pybind11) keeps its own settings.
function(rvc_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
endfunction()

# Programs load only the shared libraries they use: tests of the I/O code do not pay for loading
# LibTorch.
add_link_options(-Wl,--as-needed)
