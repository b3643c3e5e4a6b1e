/* A C99 program that drives the C ABI end to end: audio in and out, a checkpoint walk, model
 * metadata, and the error contract (status, thread-local message, untouched outputs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvc/rvc.h"

static int failures = 0;

#define CHECK(condition)                                                   \
  do {                                                                     \
    if (!(condition)) {                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      failures++;                                                          \
    }                                                                      \
  } while (0)

static void test_audio(const char* data_dir, const char* out_dir) {
  char path[4096];
  char out_path[4096];
  rvc_audio* audio = NULL;
  rvc_audio_write_config config;
  int64_t needed = 0;
  int32_t rate = 0;
  float small[10];
  rvc_audio* reread = NULL;

  snprintf(path, sizeof path, "%s/audio/odd name (测试 音频) v1.wav", data_dir);
  CHECK(rvc_audio_load(path, 0, &audio) == RVC_OK);
  CHECK(rvc_audio_num_samples(audio) == 32000);
  CHECK(rvc_audio_sample_rate_hz(audio) == 16000);

  snprintf(out_path, sizeof out_path, "%s/c api (输出).wav", out_dir);
  rvc_audio_write_config_init(&config);
  CHECK(config.struct_size == sizeof config);
  config.encoding = RVC_AUDIO_ENCODING_FLOAT32;
  CHECK(rvc_audio_write(out_path, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 16000, &config) == RVC_OK);
  CHECK(rvc_audio_load(out_path, 8000, &reread) == RVC_OK);
  CHECK(rvc_audio_num_samples(reread) == 16000);
  rvc_audio_destroy(reread);

  /* Caller-owned buffer: too small reports the size needed. */
  CHECK(rvc_audio_read(path, 0, small, 10, &needed, &rate) == RVC_ERROR_BUFFER_TOO_SMALL);
  CHECK(needed == 32000);
  CHECK(strstr(rvc_last_error_message(), "32000") != NULL);
  rvc_audio_destroy(audio);
  rvc_audio_destroy(NULL);

  audio = (rvc_audio*)&failures; /* must stay untouched on failure */
  CHECK(rvc_audio_load("/no/such/file.wav", 0, &audio) == RVC_ERROR_FILE_NOT_FOUND);
  CHECK(audio == (rvc_audio*)&failures);
  CHECK(strstr(rvc_last_error_message(), "/no/such/file.wav") != NULL);
  CHECK(rvc_audio_load(NULL, 0, &audio) == RVC_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(rvc_last_error_message(), "path") != NULL);
  CHECK(strcmp(rvc_status_name(RVC_ERROR_CORRUPT_FILE), "corrupt file") == 0);
}

/* Depth-first search for an object of class `name` that carries state. */
static int find_object(const rvc_value* value, const char* name, int depth) {
  int64_t i;
  if (depth > 16) return 0;
  if (rvc_value_kind(value) == RVC_VALUE_OBJECT) {
    return strcmp(rvc_value_object_class(value), name) == 0 && rvc_value_object_state(value) != NULL;
  }
  for (i = 0; i < rvc_value_length(value); ++i) {
    if (rvc_value_kind(value) == RVC_VALUE_STRING || rvc_value_kind(value) == RVC_VALUE_BYTES) break;
    if (find_object(rvc_value_item(value, i), name, depth + 1)) return 1;
  }
  return 0;
}

static void test_checkpoint(const char* data_dir) {
  char path[4096];
  rvc_checkpoint* checkpoint = NULL;
  const rvc_value* root;
  const rvc_value* weight;
  const rvc_value* embedding;
  const rvc_value* config;
  uint16_t halves[3 * 16];
  int64_t size = 0;

  snprintf(path, sizeof path, "%s/models/v2_f0_40k.pth", data_dir);
  CHECK(rvc_checkpoint_load(path, &checkpoint) == RVC_OK);
  root = rvc_checkpoint_root(checkpoint);
  CHECK(rvc_value_kind(root) == RVC_VALUE_DICT);
  CHECK(strcmp(rvc_value_string(rvc_value_find(root, "version"), &size), "v2") == 0 && size == 2);
  config = rvc_value_find(root, "config");
  CHECK(rvc_value_kind(config) == RVC_VALUE_LIST && rvc_value_length(config) == 18);
  CHECK(rvc_value_int(rvc_value_item(config, 17)) == 40000);
  weight = rvc_value_find(root, "weight");
  embedding = rvc_value_find(weight, "emb_g.weight");
  CHECK(rvc_value_kind(embedding) == RVC_VALUE_TENSOR);
  CHECK(rvc_value_tensor_dtype(embedding) == RVC_DTYPE_FLOAT16);
  CHECK(rvc_value_tensor_rank(embedding) == 2);
  CHECK(rvc_value_tensor_dim(embedding, 0) == 3 && rvc_value_tensor_dim(embedding, 1) == 16);
  CHECK(rvc_value_tensor_copy(embedding, halves, 10) == RVC_ERROR_BUFFER_TOO_SMALL);
  CHECK(rvc_value_tensor_copy(embedding, halves, sizeof halves) == RVC_OK);
  CHECK(rvc_value_key(weight, 0) != NULL && rvc_value_kind(rvc_value_key(weight, 0)) == RVC_VALUE_STRING);
  CHECK(rvc_value_item(weight, rvc_value_length(weight)) == NULL);
  rvc_checkpoint_destroy(checkpoint);
  rvc_checkpoint_destroy(NULL);

  snprintf(path, sizeof path, "%s/models/hubert_base.pt", data_dir);
  CHECK(rvc_checkpoint_load(path, &checkpoint) == RVC_OK);
  CHECK(find_object(rvc_value_find(rvc_checkpoint_root(checkpoint), "task_state"),
                    "fairseq.data.dictionary.Dictionary", 0));
  rvc_checkpoint_destroy(checkpoint);
}

static void test_model_info(const char* data_dir) {
  char path[4096];
  rvc_model_info* info = NULL;
  snprintf(path, sizeof path, "%s/models/v1_nof0_48k.pth", data_dir);
  CHECK(rvc_model_info_load(path, &info) == RVC_OK);
  CHECK(strcmp(rvc_model_info_version(info), "v1") == 0);
  CHECK(rvc_model_info_sample_rate_hz(info) == 48000);
  CHECK(rvc_model_info_has_pitch(info) == 0);
  CHECK(strcmp(rvc_model_info_text(info), "7epoch") == 0);
  CHECK(strstr(rvc_model_info_json(info), "\"upsample_rates\":[10,6,2,2,2]") != NULL);
  rvc_model_info_destroy(info);
  info = NULL;
  snprintf(path, sizeof path, "%s/models/rmvpe.pt", data_dir);
  CHECK(rvc_model_info_load(path, &info) == RVC_ERROR_WRONG_MODEL_KIND);
  CHECK(info == NULL);
  CHECK(strstr(rvc_last_error_message(), "RMVPE") != NULL);
}

static void test_model_tools(const char* data_dir, const char* out_dir) {
  char model[4096], index[4096], bundle[4096], unpacked[4096];
  rvc_bundle_config config;
  rvc_file_report* report = NULL;
  rvc_bundle_files* files = NULL;
  rvc_model_list* list = NULL;
  rvc_model_info* info = NULL;
  snprintf(model, sizeof model, "%s/models/v2_f0_40k.pth", data_dir);
  snprintf(index, sizeof index, "%s/index/added_IVF17_Flat_nprobe_1_fixture_v2.index", data_dir);
  snprintf(bundle, sizeof bundle, "%s/c api voice (声音).rvcz", out_dir);
  snprintf(unpacked, sizeof unpacked, "%s/c api unpacked", out_dir);

  rvc_bundle_config_init(&config);
  config.index_path = index;
  CHECK(rvc_bundle_create(model, bundle, &config, &report) == RVC_OK);
  CHECK(rvc_file_report_kind(report) == RVC_FILE_VOICE_BUNDLE);
  CHECK(strstr(rvc_file_report_summary(report), "checksums:   verified") != NULL);
  CHECK(strstr(rvc_file_report_json(report), "\"index_dim\":768") != NULL);
  rvc_file_report_destroy(report);

  CHECK(rvc_bundle_unpack(bundle, unpacked, 1, &files) == RVC_OK);
  CHECK(strstr(rvc_bundle_files_model_path(files), "v2_f0_40k.pth") != NULL);
  CHECK(strstr(rvc_bundle_files_manifest_json(files), "\"sha256\"") != NULL);
  rvc_bundle_files_destroy(files);

  CHECK(rvc_model_set_info(bundle, "C text", NULL, &info) == RVC_OK);
  CHECK(strcmp(rvc_model_info_text(info), "C text") == 0);
  rvc_model_info_destroy(info);

  CHECK(rvc_model_list_find(out_dir, &list) == RVC_OK);
  CHECK(rvc_model_list_size(list) >= 2);  /* the bundle and the unpacked model */
  CHECK(rvc_model_list_info(list, rvc_model_list_size(list)) == NULL);
  rvc_model_list_destroy(list);

  CHECK(rvc_model_extract(model, bundle, NULL, NULL) == RVC_ERROR_WRONG_MODEL_KIND);
  CHECK(strstr(rvc_last_error_message(), "already a voice model") != NULL);
  CHECK(rvc_file_inspect(index, &report) == RVC_OK);
  CHECK(rvc_file_report_kind(report) == RVC_FILE_INDEX);
  CHECK(strlen(rvc_file_report_advice(report)) > 10);
  rvc_file_report_destroy(report);
}

static void test_synthesizer(const char* data_dir) {
  char path[4096];
  rvc_synthesizer* synth = NULL;
  rvc_synthesizer_config config;
  rvc_synthesis_options options;
  rvc_audio* audio = NULL;
  enum { kFrames = 20 };
  static float features[kFrames * 768];
  int64_t pitch[kFrames];
  float pitch_hz[kFrames];
  int i;
  for (i = 0; i < kFrames * 768; ++i) features[i] = (float)((i % 7) - 3) * 0.1f;
  for (i = 0; i < kFrames; ++i) {
    pitch[i] = 60;
    pitch_hz[i] = 150.0f;
  }
  snprintf(path, sizeof path, "%s/models/v2_f0_40k.pth", data_dir);
  rvc_synthesizer_config_init(&config);
  CHECK(rvc_synthesizer_create(path, &config, &synth) == RVC_OK);
  CHECK(rvc_synthesizer_sample_rate_hz(synth) == 40000);
  CHECK(rvc_synthesizer_hop_samples(synth) == 400);
  CHECK(rvc_synthesizer_feature_dim(synth) == 768);
  CHECK(rvc_synthesizer_has_pitch(synth) == 1);
  CHECK(rvc_synthesizer_num_speakers(synth) == 3);
  rvc_synthesis_options_init(&options);
  options.seed = 1;
  CHECK(rvc_synthesizer_infer(synth, features, kFrames, 768, pitch, pitch_hz, &options, &audio) == RVC_OK);
  CHECK(rvc_audio_num_samples(audio) == kFrames * 400);
  CHECK(rvc_audio_sample_rate_hz(audio) == 40000);
  for (i = 0; i < rvc_audio_num_samples(audio); ++i) {
    if (!(fabsf(rvc_audio_samples(audio)[i]) <= 1.0f)) {
      CHECK(0 && "sample outside [-1, 1]");
      break;
    }
  }
  rvc_audio_destroy(audio);
  audio = NULL;
  CHECK(rvc_synthesizer_infer(synth, features, kFrames, 256, pitch, pitch_hz, NULL, &audio) == RVC_ERROR_INVALID_ARGUMENT);
  CHECK(audio == NULL);
  CHECK(strstr(rvc_last_error_message(), "768-d") != NULL);
  rvc_synthesizer_destroy(synth);
  rvc_synthesizer_destroy(NULL);
}

static void test_content_encoder(const char* data_dir) {
  char path[4096];
  rvc_content_encoder* encoder = NULL;
  rvc_audio* audio = NULL;
  rvc_features* features = NULL;
  snprintf(path, sizeof path, "%s/models/hubert_base.pt", data_dir);
  CHECK(rvc_content_encoder_create(path, NULL, &encoder) == RVC_OK);
  CHECK(rvc_content_encoder_feature_dim(encoder, "v1") == 256);
  CHECK(rvc_content_encoder_feature_dim(encoder, "v2") == 64);
  snprintf(path, sizeof path, "%s/hubert/inputs/speech_odd.wav", data_dir);
  CHECK(rvc_audio_load(path, 0, &audio) == RVC_OK);
  CHECK(rvc_content_encoder_extract(encoder, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 16000, "v1",
                                    &features) == RVC_OK);
  CHECK(rvc_features_num_frames(features) == (rvc_audio_num_samples(audio) - 400) / 320 + 1);
  CHECK(rvc_features_dim(features) == 256);
  CHECK(isfinite(rvc_features_data(features)[0]));
  rvc_features_destroy(features);
  features = NULL;
  CHECK(rvc_content_encoder_extract(encoder, rvc_audio_samples(audio), 399, 16000, "v2", &features) ==
        RVC_ERROR_INVALID_AUDIO);
  CHECK(features == NULL);
  CHECK(strstr(rvc_last_error_message(), "400 samples") != NULL);
  rvc_audio_destroy(audio);
  rvc_content_encoder_destroy(encoder);
  encoder = NULL;
  snprintf(path, sizeof path, "%s/models/v2_f0_40k.pth", data_dir);
  CHECK(rvc_content_encoder_create(path, NULL, &encoder) == RVC_ERROR_WRONG_MODEL_KIND);
  CHECK(encoder == NULL);
  rvc_content_encoder_destroy(NULL);
  rvc_features_destroy(NULL);
}

static void test_f0_estimator(const char* data_dir) {
  char path[4096];
  rvc_f0_estimator* estimator = NULL;
  rvc_f0_estimator_config config;
  rvc_audio* audio = NULL;
  rvc_f0_track* track = NULL;
  int32_t method = -1;
  CHECK(rvc_f0_method_from_name("rmvpe", &method) == RVC_OK && method == RVC_F0_METHOD_RMVPE);
  CHECK(strcmp(rvc_f0_method_name(RVC_F0_METHOD_FCPE), "fcpe") == 0);
  CHECK(rvc_f0_method_from_name("yin", &method) == RVC_ERROR_INVALID_ARGUMENT);
  rvc_f0_estimator_config_init(&config);
  CHECK(rvc_f0_estimator_create(RVC_F0_METHOD_RMVPE, &config, &estimator) == RVC_ERROR_INVALID_ARGUMENT);
  CHECK(estimator == NULL);
  snprintf(path, sizeof path, "%s/models/rmvpe.pt", data_dir);
  config.model_path = path;
  CHECK(rvc_f0_estimator_create(RVC_F0_METHOD_RMVPE, &config, &estimator) == RVC_OK);
  snprintf(path, sizeof path, "%s/rmvpe/inputs/speech.wav", data_dir);
  CHECK(rvc_audio_load(path, 0, &audio) == RVC_OK);
  CHECK(rvc_f0_estimator_estimate(estimator, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 16000,
                                  &track) == RVC_OK);
  CHECK(rvc_f0_track_num_frames(track) == rvc_audio_num_samples(audio) / 160 + 1);
  CHECK(rvc_f0_track_hz(track)[100] > 150.0 && rvc_f0_track_hz(track)[100] < 250.0); /* the fixture sits near 201 Hz */
  CHECK(rvc_f0_track_confidence(track) != NULL);
  rvc_f0_track_destroy(track);
  track = NULL;
  CHECK(rvc_f0_estimator_estimate(estimator, rvc_audio_samples(audio), 100, 16000, &track) == RVC_ERROR_INVALID_AUDIO);
  CHECK(track == NULL);
  CHECK(rvc_f0_estimator_estimate(estimator, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 22050,
                                  &track) == RVC_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(rvc_last_error_message(), "resample") != NULL);
  rvc_audio_destroy(audio);
  rvc_f0_estimator_destroy(estimator);
  estimator = NULL;
  snprintf(path, sizeof path, "%s/models/hubert_base.pt", data_dir);
  CHECK(rvc_f0_estimator_create(RVC_F0_METHOD_RMVPE, &config, &estimator) == RVC_ERROR_WRONG_MODEL_KIND);
  CHECK(estimator == NULL);
  rvc_f0_estimator_destroy(NULL);
  rvc_f0_track_destroy(NULL);
}

static int count_progress(const char* stage, double fraction, void* user_data) {
  (void)fraction;
  (void)stage;
  ++*(int*)user_data;
  return 0;
}

static int cancel_when_adding(const char* stage, double fraction, void* user_data) {
  (void)fraction;
  (void)user_data;
  return strcmp(stage, "adding") == 0;
}

static void test_index(const char* data_dir, const char* out_dir) {
  char path[4096];
  char build_dir[4096];
  rvc_index* index = NULL;
  rvc_index* rebuilt = NULL;
  rvc_index_config config;
  rvc_index_build_config build;
  rvc_index_build_result* result = NULL;
  float distances[8];
  int64_t ids[8];
  float blended[768];
  int calls = 0;
  int i;

  snprintf(path, sizeof path, "%s/index/trained_IVF17_Flat_nprobe_1_fixture_v2.index", data_dir);
  CHECK(rvc_index_load(path, NULL, &index) == RVC_ERROR_WRONG_MODEL_KIND);
  CHECK(index == NULL);
  CHECK(strstr(rvc_last_error_message(), "added_") != NULL);

  snprintf(path, sizeof path, "%s/index/added_IVF17_Flat_nprobe_1_fixture_v2.index", data_dir);
  rvc_index_config_init(&config);
  config.expected_dim = 256;
  CHECK(rvc_index_load(path, &config, &index) == RVC_ERROR_INVALID_ARGUMENT);
  config.expected_dim = 768;
  CHECK(rvc_index_load(path, &config, &index) == RVC_OK);
  CHECK(rvc_index_dim(index) == 768);
  CHECK(rvc_index_num_vectors(index) == 681);
  CHECK(rvc_index_num_lists(index) == 17);
  CHECK(rvc_index_nprobe(index) == 1);
  CHECK(strcmp(rvc_index_description(index), "IVF17,Flat") == 0);

  /* A stored vector finds itself at distance 0, and the blend gives it back (no NaN). */
  CHECK(rvc_index_search(index, rvc_index_vectors(index) + 10 * 768, 1, 768, 8, distances, ids) == RVC_OK);
  CHECK(ids[0] == 10 && distances[0] == 0.0f && distances[1] > 0.0f);
  CHECK(rvc_index_blend(index, rvc_index_vectors(index) + 10 * 768, 1, 768, 0.75f, 8, blended) == RVC_OK);
  for (i = 0; i < 768; ++i) {
    if (!(fabsf(blended[i] - rvc_index_vectors(index)[10 * 768 + i]) < 1e-6f)) {
      CHECK(0 && "blend of a stored vector is that vector");
      break;
    }
  }
  CHECK(rvc_index_blend(index, blended, 1, 256, 0.75f, 8, blended) == RVC_ERROR_INVALID_ARGUMENT);

  snprintf(build_dir, sizeof build_dir, "%s/c api index (索引)", out_dir);
  rvc_index_build_config_init(&build);
  build.name = "c api";
  build.progress = cancel_when_adding;
  CHECK(rvc_index_build_from_features(rvc_index_vectors(index), 681, 768, build_dir, &build, &result) ==
        RVC_ERROR_CANCELLED);
  CHECK(result == NULL);
  build.progress = count_progress;
  build.progress_user_data = &calls;
  CHECK(rvc_index_build_from_features(rvc_index_vectors(index), 681, 768, build_dir, &build, &result) == RVC_OK);
  CHECK(calls >= 4);
  CHECK(rvc_index_build_result_num_lists(result) == 17);
  CHECK(rvc_index_build_result_input_rows(result) == 681);
  CHECK(rvc_index_build_result_num_vectors(result) == 681);
  CHECK(rvc_index_build_result_reduced(result) == 0);
  CHECK(strstr(rvc_index_build_result_added_path(result), "added_IVF17_Flat_nprobe_1_c api_v2.index") != NULL);
  CHECK(strstr(rvc_index_build_result_trained_path(result), "trained_IVF17_Flat_nprobe_1_c api_v2.index") != NULL);
  CHECK(rvc_index_load(rvc_index_build_result_added_path(result), NULL, &rebuilt) == RVC_OK);
  CHECK(rvc_index_num_vectors(rebuilt) == 681);
  rvc_index_destroy(rebuilt);
  rvc_index_build_result_destroy(result);

  snprintf(path, sizeof path, "%s/index/no such features", data_dir);
  result = NULL;
  CHECK(rvc_index_build(path, NULL, NULL, &result) == RVC_ERROR_FILE_NOT_FOUND);
  CHECK(result == NULL);
  rvc_index_destroy(index);
  rvc_index_destroy(NULL);
  rvc_index_build_result_destroy(NULL);
}

/* The engine converts the classic fixture's input with pm (no rmvpe needed) into a caller buffer
 * and into a file under a CJK path; the parity itself is tested in C++ (test_pipeline). */
static void test_engine(const char* data_dir, const char* out_dir) {
  char model[4096];
  char hubert[4096];
  char index_path[4096];
  char input[4096];
  char output[4096];
  rvc_engine_config config;
  rvc_convert_params params;
  rvc_conversion_stats stats;
  rvc_engine* engine = NULL;
  rvc_audio* audio = NULL;
  float* out = NULL;
  float tiny[8];
  int64_t capacity = 0;
  int64_t written = -1;
  int calls = 0;
  float peak = 0.0f;
  int64_t i;

  snprintf(model, sizeof model, "%s/models/v2_f0_40k.pth", data_dir);
  snprintf(hubert, sizeof hubert, "%s/hubert/hubert_base_768", data_dir);
  snprintf(index_path, sizeof index_path, "%s/index/added_IVF17_Flat_nprobe_1_fixture_v2.index", data_dir);
  snprintf(input, sizeof input, "%s/pipeline_classic/input.wav", data_dir);
  snprintf(output, sizeof output, "%s/c api output (输出).wav", out_dir);

  rvc_engine_config_init(&config);
  config.model_path = model;
  config.index_path = index_path;
  config.assets_dir = out_dir; /* no hubert there */
  CHECK(rvc_engine_create(&config, &engine) == RVC_ERROR_FILE_NOT_FOUND);
  CHECK(engine == NULL);
  CHECK(strstr(rvc_last_error_message(), "hubert_base.pt") != NULL);
  config.hubert_path = hubert;
  CHECK(rvc_engine_create(&config, &engine) == RVC_OK);
  CHECK(rvc_engine_sample_rate_hz(engine) == 40000);
  CHECK(rvc_engine_has_pitch(engine) == 1);
  CHECK(rvc_engine_num_speakers(engine) == 3);
  CHECK(strstr(rvc_engine_description(engine), "v2_f0_40k.pth") != NULL);

  CHECK(rvc_audio_load(input, 16000, &audio) == RVC_OK);
  rvc_convert_params_init(&params);
  CHECK(params.f0_method == RVC_F0_METHOD_RMVPE && params.index_rate == 0.75 && params.protect == 0.33);
  params.f0_method = RVC_F0_METHOD_PM;
  params.zero_noise = 1;
  params.progress = count_progress;
  params.progress_user_data = &calls;
  CHECK(rvc_engine_convert(engine, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 16000, &params, tiny, 8,
                           &written) == RVC_ERROR_BUFFER_TOO_SMALL);
  CHECK(written == 183200);
  CHECK(rvc_engine_output_capacity(engine, rvc_audio_num_samples(audio), 16000, &params, &capacity) == RVC_OK);
  CHECK(capacity >= 183200);
  out = (float*)malloc((size_t)capacity * sizeof(float));
  written = 0;
  CHECK(rvc_engine_convert(engine, rvc_audio_samples(audio), rvc_audio_num_samples(audio), 16000, &params, out,
                           capacity, &written) == RVC_OK);
  CHECK(written == 183200);
  CHECK(calls >= 4);
  for (i = 0; i < written; ++i) peak = fmaxf(peak, fabsf(out[i]));
  CHECK(peak > 0.01f && peak <= 0.99f);
  CHECK(rvc_engine_convert(engine, rvc_audio_samples(audio), 100, 16000, &params, out, capacity, &written) ==
        RVC_ERROR_INVALID_AUDIO);
  CHECK(strstr(rvc_last_error_message(), "0.1 s") != NULL);
  free(out);

  params.progress = NULL;
  stats.struct_size = sizeof stats;
  CHECK(rvc_engine_convert_file(engine, input, output, &params, NULL, &stats) == RVC_OK);
  CHECK(stats.num_samples == 183200 && stats.sample_rate_hz == 40000);
  CHECK(stats.total_ms > 0 && stats.synth_ms > 0);
  rvc_audio_destroy(audio);
  CHECK(rvc_audio_load(output, 0, &audio) == RVC_OK);
  CHECK(rvc_audio_num_samples(audio) == 183200);
  rvc_audio_destroy(audio);

  params.f0_method = RVC_F0_METHOD_RMVPE;
  CHECK(rvc_engine_convert_file(engine, input, output, &params, NULL, NULL) == RVC_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(rvc_last_error_message(), "rmvpe") != NULL);
  rvc_engine_destroy(engine);
  rvc_engine_destroy(NULL);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DATA_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  CHECK(strlen(rvc_version_string()) >= 5);
  test_audio(argv[1], argv[2]);
  test_checkpoint(argv[1]);
  test_model_info(argv[1]);
  test_model_tools(argv[1], argv[2]);
  test_synthesizer(argv[1]);
  test_f0_estimator(argv[1]);
  test_index(argv[1], argv[2]);
  test_content_encoder(argv[1]);
  test_engine(argv[1], argv[2]);
  if (failures == 0) printf("c api smoke: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
