# Every dependency comes from Debian packages (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
# LibTorch (Debian's libtorch-dev, CPU). Its config adds the flags its headers need.
# LibTorch's at::parallel_for is an OpenMP pragma in its headers: code that calls it must be
# compiled with OpenMP (the same libgomp LibTorch uses), or it runs serially.
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Torch REQUIRED)
# faiss (Debian's libfaiss-dev, static): its targets name OpenMP::OpenMP_CXX and the system BLAS,
# so OpenMP must be found first; scripts/setup installs OpenBLAS as that BLAS.
find_package(faiss CONFIG REQUIRED)

if(RVC_BUILD_PYTHON)
  find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
  find_package(pybind11 CONFIG REQUIRED)
endif()
if(RVC_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(RVC_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
