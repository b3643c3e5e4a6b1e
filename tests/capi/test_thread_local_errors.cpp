// The error message is per thread: a failure on one thread never shows up on another.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "rvc/rvc.h"
#include "rvc/rvc.hpp"

TEST(CApiErrors, MessagesAreThreadLocal) {
  rvc_audio* audio = nullptr;
  ASSERT_EQ(rvc_audio_load("/missing/on purpose.wav", 0, &audio), RVC_ERROR_FILE_NOT_FOUND);
  const std::string main_message = rvc_last_error_message();
  EXPECT_NE(main_message.find("/missing/on purpose.wav"), std::string::npos);

  std::string other_before, other_after;
  std::thread other([&] {
    other_before = rvc_last_error_message();
    rvc_model_info* info = nullptr;
    EXPECT_EQ(rvc_model_info_load("/elsewhere/model.pth", &info), RVC_ERROR_FILE_NOT_FOUND);
    other_after = rvc_last_error_message();
  });
  other.join();
  EXPECT_EQ(other_before, "");
  EXPECT_NE(other_after.find("/elsewhere/model.pth"), std::string::npos);
  EXPECT_EQ(rvc_last_error_message(), main_message);

  EXPECT_STREQ(rvc_status_name(RVC_ERROR_WRONG_MODEL_KIND), "wrong model kind");
  EXPECT_EQ(rvc_audio_samples(nullptr), nullptr);
  EXPECT_EQ(rvc_value_kind(nullptr), RVC_VALUE_NONE);
}

TEST(CApiErrors, CppWrapperThrowsWithStatusAndMessage) {
  try {
    rvc::capi::Checkpoint::load("/missing/checkpoint (1).pth");
    FAIL() << "no exception";
  } catch (const rvc::capi::Error& e) {
    EXPECT_EQ(e.status(), RVC_ERROR_FILE_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("checkpoint (1).pth"), std::string::npos);
  }
}
