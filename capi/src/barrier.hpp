// The exception barrier: every C entry point runs its body through guarded(), which turns any
// exception into an rvc_status and this thread's error message. Nothing escapes into C.
#pragma once

#include <new>
#include <string>

#include "rvc/error.hpp"
#include "rvc/rvc.h"

namespace rvc::capi {

void set_last_error(const std::string& message);

template <typename Body>
rvc_status guarded(Body&& body) noexcept {
  try {
    set_last_error("");
    body();
    return RVC_OK;
  } catch (const rvc::Error& e) {
    set_last_error(e.what());
    return static_cast<rvc_status>(e.code());
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return RVC_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_last_error(std::string("internal error: ") + e.what() + " (please report this)");
    return RVC_ERROR_INTERNAL;
  } catch (...) {
    set_last_error("internal error: unknown exception (please report this)");
    return RVC_ERROR_INTERNAL;
  }
}

/// Throws kInvalidArgument when a required pointer argument is NULL.
inline void require(const void* pointer, const char* function, const char* parameter) {
  if (pointer == nullptr) {
    throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                     std::string(function) + ": '" + parameter + "' must not be NULL");
  }
}

}  // namespace rvc::capi
