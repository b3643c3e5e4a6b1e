/**
 * @file rvc.h
 * @brief The stable C ABI of rvc: Retrieval-based Voice Conversion as a library.
 *
 * Walkthrough
 * -----------
 * Every call that can fail returns an ::rvc_status; 0 (::RVC_OK) is success. On failure,
 * rvc_last_error_message() returns this thread's explanation, naming the file or parameter and
 * what to do, and every output parameter is left untouched.
 *
 * @code
 * #include <rvc/rvc.h>
 *
 * rvc_audio* audio = NULL;
 * if (rvc_audio_load("input (take 2).wav", 16000, &audio) != RVC_OK) {
 *   fprintf(stderr, "rvc: %s\n", rvc_last_error_message());
 *   return 1;
 * }
 * const float* samples = rvc_audio_samples(audio);         // mono, 16 kHz, owned by `audio`
 * int64_t count = rvc_audio_num_samples(audio);
 * rvc_audio_write("out.flac", samples, count, 16000, NULL);  // written atomically
 * rvc_audio_destroy(audio);
 *
 * rvc_model_info* info = NULL;
 * if (rvc_model_info_load("weights/voice.pth", &info) == RVC_OK) {
 *   printf("%s %d Hz, pitch %d\n", rvc_model_info_version(info),
 *          rvc_model_info_sample_rate_hz(info), rvc_model_info_has_pitch(info));
 *   rvc_model_info_destroy(info);
 * }
 * @endcode
 *
 * Conventions
 * -----------
 * - Strings, paths included, are UTF-8 on every platform.
 * - Objects are opaque handles created by `rvc_<object>_load` or `_create` and released by
 *   `rvc_<object>_destroy`; destroying NULL is a no-op.
 * - Config structs start with `struct_size`; fill them with their `_init` function, then change
 *   fields. Fields are only ever appended. A NULL config means defaults.
 * - Flags are `int32_t` (0 = false). Units are in names (`_hz`, `_samples`, `_bytes`).
 * - Threads: every function may be called from any thread. A handle may be read from several
 *   threads at once; nothing here is real-time safe unless its documentation says so.
 */
#ifndef RVC_RVC_H_
#define RVC_RVC_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a function exported from the shared library. */
#if defined(_WIN32) && defined(RVC_BUILDING_LIBRARY)
#define RVC_API __declspec(dllexport)
#elif defined(_WIN32)
#define RVC_API __declspec(dllimport)
#else
#define RVC_API __attribute__((visibility("default")))
#endif

/** @brief Marks a function that a later version will remove. */
#if defined(__GNUC__) || defined(__clang__)
#define RVC_DEPRECATED(message) __attribute__((deprecated(message)))
#else
#define RVC_DEPRECATED(message)
#endif

/**
 * @defgroup rvc_status Status codes and errors
 * @{
 */

/** @brief Result of every fallible call: 0 is success, anything else an ::rvc_status_code. */
typedef int32_t rvc_status;

/** @brief The values an ::rvc_status can take. */
enum rvc_status_code {
  RVC_OK = 0,                      /**< Success. */
  RVC_ERROR_INVALID_ARGUMENT = 1,  /**< A parameter is NULL, out of range or inconsistent. */
  RVC_ERROR_FILE_NOT_FOUND = 2,    /**< A path does not exist or cannot be opened. */
  RVC_ERROR_IO = 3,                /**< Reading or writing failed (disk full, permissions). */
  RVC_ERROR_CORRUPT_FILE = 4,      /**< A file is truncated, damaged or not what it claims. */
  RVC_ERROR_UNSUPPORTED = 5,       /**< A valid request this build cannot handle. */
  RVC_ERROR_INVALID_AUDIO = 6,     /**< Audio that is empty, too short or holds NaN/Inf. */
  RVC_ERROR_BUFFER_TOO_SMALL = 7,  /**< A caller buffer is too small; the needed size is reported. */
  RVC_ERROR_OUT_OF_MEMORY = 8,     /**< An allocation failed. */
  RVC_ERROR_INTERNAL = 9,          /**< A bug in rvc; please report it with the message. */
  RVC_ERROR_WRONG_MODEL_KIND = 10, /**< A file of another kind (e.g. a training checkpoint). */
  RVC_ERROR_CANCELLED = 11         /**< A progress callback asked to stop; nothing was written. */
};

/**
 * @brief Why the most recent rvc call on this thread failed ("" after a success).
 *
 * The pointer stays valid until the next rvc call on the same thread. Any thread; real-time safe.
 */
RVC_API const char* rvc_last_error_message(void);

/** @brief A short constant name for a status ("corrupt file"). Any thread; real-time safe. */
RVC_API const char* rvc_status_name(rvc_status status);

/** @brief The library version, "MAJOR.MINOR.PATCH". Any thread; real-time safe. */
RVC_API const char* rvc_version_string(void);

/** @} */

/**
 * @defgroup rvc_audio Audio files
 * Reading any format libsndfile knows (WAV, FLAC, OGG, MP3, ...) as mono float, and writing
 * WAV, FLAC and OGG atomically.
 * @{
 */

/** @brief Decoded mono audio owned by the library. */
typedef struct rvc_audio rvc_audio;

/**
 * @brief Reads an audio file, averages its channels to mono and resamples it.
 *
 * @param path UTF-8 path; spaces, parentheses and non-ASCII characters are fine.
 * @param sample_rate_hz Rate to resample to (soxr, high quality); 0 keeps the file's rate.
 * @param[out] out_audio Receives a new handle; release it with rvc_audio_destroy().
 * @return ::RVC_OK, or ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_CORRUPT_FILE,
 *         ::RVC_ERROR_INVALID_AUDIO (no samples, NaN/Inf), ::RVC_ERROR_INVALID_ARGUMENT.
 * Any thread; not real-time safe (reads files, allocates).
 */
RVC_API rvc_status rvc_audio_load(const char* path, int32_t sample_rate_hz, rvc_audio** out_audio);

/** @brief The samples, valid until rvc_audio_destroy(). NULL for a NULL handle. */
RVC_API const float* rvc_audio_samples(const rvc_audio* audio);

/** @brief Number of samples (0 for a NULL handle). */
RVC_API int64_t rvc_audio_num_samples(const rvc_audio* audio);

/** @brief Sample rate in Hz (0 for a NULL handle). */
RVC_API int32_t rvc_audio_sample_rate_hz(const rvc_audio* audio);

/** @brief Releases audio; NULL is a no-op. */
RVC_API void rvc_audio_destroy(rvc_audio* audio);

/**
 * @brief Reads an audio file into a caller-owned buffer.
 *
 * Same decoding as rvc_audio_load(). When @p capacity_samples is too small (or @p buffer is NULL)
 * the call returns ::RVC_ERROR_BUFFER_TOO_SMALL and still stores the needed count in
 * @p out_num_samples, so a caller can ask for the size first.
 *
 * @param path UTF-8 path.
 * @param sample_rate_hz Rate to resample to; 0 keeps the file's rate.
 * @param buffer Destination, or NULL to query the size.
 * @param capacity_samples Number of floats @p buffer holds.
 * @param[out] out_num_samples Samples written (or needed).
 * @param[out] out_sample_rate_hz Rate of the samples; may be NULL.
 */
RVC_API rvc_status rvc_audio_read(const char* path, int32_t sample_rate_hz, float* buffer,
                                  int64_t capacity_samples, int64_t* out_num_samples,
                                  int32_t* out_sample_rate_hz);

/** @brief Sample encodings for rvc_audio_write(). */
enum rvc_audio_encoding {
  RVC_AUDIO_ENCODING_AUTO = 0,   /**< 16-bit PCM for .wav/.flac, Vorbis for .ogg. */
  RVC_AUDIO_ENCODING_PCM16 = 1,  /**< 16-bit integers. */
  RVC_AUDIO_ENCODING_PCM24 = 2,  /**< 24-bit integers. */
  RVC_AUDIO_ENCODING_FLOAT32 = 3 /**< 32-bit float (.wav only). */
};

/** @brief Options of rvc_audio_write(). */
typedef struct rvc_audio_write_config {
  uint32_t struct_size; /**< sizeof(rvc_audio_write_config), set by the init function. */
  int32_t encoding;     /**< An ::rvc_audio_encoding; 0 = auto. */
} rvc_audio_write_config;

/** @brief Fills @p config with defaults. */
RVC_API void rvc_audio_write_config_init(rvc_audio_write_config* config);

/**
 * @brief Writes mono samples to a .wav, .flac or .ogg file (chosen by the extension).
 *
 * The file appears atomically: it is written under a temporary name and renamed, so a crash never
 * leaves half a file. Integer encodings clip to [-1, 1].
 *
 * @param path UTF-8 path.
 * @param samples @p num_samples floats, finite.
 * @param num_samples At least 1.
 * @param sample_rate_hz Rate of the samples.
 * @param config Options, or NULL for defaults.
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_audio_write(const char* path, const float* samples, int64_t num_samples,
                                   int32_t sample_rate_hz, const rvc_audio_write_config* config);

/** @} */

/**
 * @defgroup rvc_checkpoint PyTorch checkpoints
 * Reading `torch.save` files (zip format) as a tree of values, with no Python and nothing
 * executed. Values are borrowed from their checkpoint and valid until it is destroyed.
 * @{
 */

/** @brief A loaded checkpoint file. */
typedef struct rvc_checkpoint rvc_checkpoint;
/** @brief One value inside a checkpoint (borrowed; never destroyed by the caller). */
typedef struct rvc_value rvc_value;

/** @brief Kinds of ::rvc_value. */
enum rvc_value_kind {
  RVC_VALUE_NONE = 0,   /**< Python None. */
  RVC_VALUE_BOOL = 1,   /**< bool: rvc_value_int() gives 0 or 1. */
  RVC_VALUE_INT = 2,    /**< int (64-bit). */
  RVC_VALUE_FLOAT = 3,  /**< float (double). */
  RVC_VALUE_STRING = 4, /**< str, UTF-8. */
  RVC_VALUE_BYTES = 5,  /**< bytes. */
  RVC_VALUE_LIST = 6,   /**< list (sets too). */
  RVC_VALUE_TUPLE = 7,  /**< tuple. */
  RVC_VALUE_DICT = 8,   /**< dict or OrderedDict, in insertion order. */
  RVC_VALUE_TENSOR = 9, /**< torch tensor or parameter. */
  RVC_VALUE_OBJECT = 10 /**< an instance of another class, kept as data (class, args, state). */
};

/** @brief Element types of tensors. */
enum rvc_dtype {
  RVC_DTYPE_FLOAT16 = 0,  /**< IEEE half. */
  RVC_DTYPE_BFLOAT16 = 1, /**< bfloat16. */
  RVC_DTYPE_FLOAT32 = 2,  /**< float. */
  RVC_DTYPE_FLOAT64 = 3,  /**< double. */
  RVC_DTYPE_INT64 = 4,    /**< int64_t. */
  RVC_DTYPE_INT32 = 5,    /**< int32_t. */
  RVC_DTYPE_INT16 = 6,    /**< int16_t. */
  RVC_DTYPE_INT8 = 7,     /**< int8_t. */
  RVC_DTYPE_UINT8 = 8,    /**< uint8_t. */
  RVC_DTYPE_BOOL = 9      /**< one byte, 0 or 1. */
};

/**
 * @brief Reads a `torch.save` file.
 * @param path UTF-8 path.
 * @param[out] out_checkpoint New handle; release with rvc_checkpoint_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_CORRUPT_FILE (truncated, damaged or
 *         hostile), ::RVC_ERROR_UNSUPPORTED (legacy format, exotic dtype).
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_checkpoint_load(const char* path, rvc_checkpoint** out_checkpoint);

/** @brief Releases a checkpoint and every value borrowed from it; NULL is a no-op. */
RVC_API void rvc_checkpoint_destroy(rvc_checkpoint* checkpoint);

/** @brief The top-level value (NULL for a NULL handle). */
RVC_API const rvc_value* rvc_checkpoint_root(const rvc_checkpoint* checkpoint);

/** @brief The ::rvc_value_kind of a value (::RVC_VALUE_NONE for NULL). */
RVC_API int32_t rvc_value_kind(const rvc_value* value);

/** @brief Items of a list, tuple or dict; bytes of a str or bytes; 0 otherwise. */
RVC_API int64_t rvc_value_length(const rvc_value* value);

/** @brief Item @p index of a list or tuple, or the value of dict entry @p index; NULL if none. */
RVC_API const rvc_value* rvc_value_item(const rvc_value* value, int64_t index);

/** @brief The key of dict entry @p index; NULL if none. */
RVC_API const rvc_value* rvc_value_key(const rvc_value* value, int64_t index);

/** @brief The dict value under the string @p key; NULL if absent or not a dict. */
RVC_API const rvc_value* rvc_value_find(const rvc_value* value, const char* key);

/** @brief An int or bool as int64 (0 for other kinds). */
RVC_API int64_t rvc_value_int(const rvc_value* value);

/** @brief A float, or an int converted (0 for other kinds). */
RVC_API double rvc_value_float(const rvc_value* value);

/**
 * @brief The bytes of a str (UTF-8) or bytes value, NUL-terminated; NULL for other kinds.
 * @param value The value.
 * @param[out] out_size Receives the length without the terminator; may be NULL.
 */
RVC_API const char* rvc_value_string(const rvc_value* value, int64_t* out_size);

/** @brief The ::rvc_dtype of a tensor (-1 for other kinds). */
RVC_API int32_t rvc_value_tensor_dtype(const rvc_value* value);

/** @brief Number of dimensions of a tensor (-1 for other kinds). */
RVC_API int32_t rvc_value_tensor_rank(const rvc_value* value);

/** @brief Extent of dimension @p dim of a tensor (-1 when out of range). */
RVC_API int64_t rvc_value_tensor_dim(const rvc_value* value, int32_t dim);

/**
 * @brief Copies a tensor's elements in row-major order, in its own dtype.
 * @param value A tensor value.
 * @param buffer Destination of at least numel × element-size bytes.
 * @param capacity_bytes Size of @p buffer; too small gives ::RVC_ERROR_BUFFER_TOO_SMALL.
 */
RVC_API rvc_status rvc_value_tensor_copy(const rvc_value* value, void* buffer, int64_t capacity_bytes);

/**
 * @brief "module.Class" of an object value ("argparse.Namespace"); NULL for other kinds.
 *
 * The string stays valid until the next call of this function on the same thread.
 */
RVC_API const char* rvc_value_object_class(const rvc_value* value);

/** @brief The constructor arguments of an object value, a tuple; NULL for other kinds. */
RVC_API const rvc_value* rvc_value_object_args(const rvc_value* value);

/** @brief The state an object value was given (often a dict); NULL when it has none. */
RVC_API const rvc_value* rvc_value_object_state(const rvc_value* value);

/** @} */

/**
 * @defgroup rvc_model_info Voice model metadata
 * What an RVC voice model file (`weights/<name>.pth`) says about itself.
 * @{
 */

/** @brief Metadata of one voice model. */
typedef struct rvc_model_info rvc_model_info;

/**
 * @brief Reads a voice model's metadata.
 * @param path UTF-8 path of a `weights/<name>.pth` file.
 * @param[out] out_info New handle; release with rvc_model_info_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_WRONG_MODEL_KIND for training checkpoints, content encoders and
 *         pitch models (the message says which), ::RVC_ERROR_CORRUPT_FILE, ::RVC_ERROR_FILE_NOT_FOUND.
 */
RVC_API rvc_status rvc_model_info_load(const char* path, rvc_model_info** out_info);

/** @brief "v1" or "v2". */
RVC_API const char* rvc_model_info_version(const rvc_model_info* info);

/** @brief Output sample rate in Hz (32000, 40000, 48000). */
RVC_API int32_t rvc_model_info_sample_rate_hz(const rvc_model_info* info);

/** @brief 1 for a pitch-guided model, 0 for a model without pitch. */
RVC_API int32_t rvc_model_info_has_pitch(const rvc_model_info* info);

/** @brief The model's free-text info (e.g. "200epoch"). */
RVC_API const char* rvc_model_info_text(const rvc_model_info* info);

/** @brief Everything, including the synthesizer config, as one JSON object. */
RVC_API const char* rvc_model_info_json(const rvc_model_info* info);

/** @brief Releases the metadata; NULL is a no-op. */
RVC_API void rvc_model_info_destroy(rvc_model_info* info);

/** @} */

/**
 * @defgroup rvc_model_tools Model tools
 * What a file is; a model's info text; extracting a voice model from a training checkpoint;
 * merging two models; one-file voice bundles (`.rvcz`: model + index + checksummed manifest); and
 * finding the models in a folder. Every file is written atomically (temporary file + rename).
 * Any thread; not real-time safe.
 * @code
 * rvc_file_report* report = NULL;
 * if (rvc_file_inspect("logs/my voice/G_2333333.pth", &report) == RVC_OK) {
 *   printf("%s%s\n", rvc_file_report_summary(report), rvc_file_report_advice(report));
 *   rvc_file_report_destroy(report);
 * }
 * rvc_model_extract("logs/my voice/G_2333333.pth", "weights/my voice.pth", NULL, NULL);
 * rvc_bundle_config bundle;
 * rvc_bundle_config_init(&bundle);
 * bundle.index_path = "logs/my voice/added_IVF256_Flat_nprobe_1_my voice_v2.index";
 * rvc_bundle_create("weights/my voice.pth", "my voice.rvcz", &bundle, NULL);
 * @endcode
 * @{
 */

/** @brief What kind of file rvc_file_inspect() found. */
enum rvc_file_kind {
  RVC_FILE_VOICE_MODEL = 0,              /**< `weights/<name>.pth` */
  RVC_FILE_VOICE_BUNDLE = 1,             /**< `<name>.rvcz` */
  RVC_FILE_GENERATOR_CHECKPOINT = 2,     /**< `logs/<exp>/G_*.pth` (or a pretrained G) */
  RVC_FILE_DISCRIMINATOR_CHECKPOINT = 3, /**< `logs/<exp>/D_*.pth` (or a pretrained D) */
  RVC_FILE_CONTENT_ENCODER = 4,          /**< hubert_base.pt or a Hugging Face encoder folder */
  RVC_FILE_PITCH_MODEL = 5,              /**< rmvpe.pt or an FCPE checkpoint */
  RVC_FILE_INDEX = 6,                    /**< added_*.index */
  RVC_FILE_TRAINED_INDEX = 7,            /**< trained_*.index (no vectors) */
  RVC_FILE_UNKNOWN = 8                   /**< none of these */
};

/** @brief What a file is and what to do with it. */
typedef struct rvc_file_report rvc_file_report;

/**
 * @brief Says what any file is: voice model (version, rate, pitch flag, info, speakers, parameter
 *        count), bundle, training checkpoint (epoch, whether it can be extracted), encoder, pitch
 *        model, index (width, vectors, lists) — and what to do with it.
 * @param path UTF-8 path of a file (or of a Hugging Face encoder folder).
 * @param[out] out_report New report; release with rvc_file_report_destroy().
 * @return ::RVC_OK (also for files of unknown kind), ::RVC_ERROR_FILE_NOT_FOUND,
 *         ::RVC_ERROR_CORRUPT_FILE (damaged file or tampered bundle), ::RVC_ERROR_INVALID_ARGUMENT (a folder).
 */
RVC_API rvc_status rvc_file_inspect(const char* path, rvc_file_report** out_report);
/** @brief The ::rvc_file_kind. */
RVC_API int32_t rvc_file_report_kind(const rvc_file_report* report);
/** @brief "field: value" lines for people, one per fact, each ending in a newline. */
RVC_API const char* rvc_file_report_summary(const rvc_file_report* report);
/** @brief What to do with the file, one sentence. */
RVC_API const char* rvc_file_report_advice(const rvc_file_report* report);
/** @brief The facts as one JSON object (path, kind, the fields, advice). */
RVC_API const char* rvc_file_report_json(const rvc_file_report* report);
/** @brief Releases the report; NULL is a no-op. */
RVC_API void rvc_file_report_destroy(rvc_file_report* report);

/**
 * @brief Sets the info text of a voice model or bundle; everything else stays as it was.
 * @param path The model (`.pth`) or bundle (`.rvcz`).
 * @param info New text (UTF-8).
 * @param output_path Where to write; NULL or "" rewrites @p path in place (atomically).
 * @param[out] out_info Optional (may be NULL): the new metadata; release with rvc_model_info_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_WRONG_MODEL_KIND (not a voice model; the message says what it is), ...
 */
RVC_API rvc_status rvc_model_set_info(const char* path, const char* info, const char* output_path,
                                      rvc_model_info** out_info);

/** @brief How a voice model is extracted; NULL/-1 fields are read from the experiment folder or the weights. */
typedef struct rvc_model_extract_config {
  uint32_t struct_size;     /**< sizeof(rvc_model_extract_config), set by the init function. */
  const char* sample_rate;  /**< "32k", "40k", "48k"; NULL: config.json / train.log / the weights. */
  int32_t has_pitch;        /**< 1, 0, or -1 to find out (-1). */
  const char* version;      /**< "v1", "v2"; NULL: find out. */
  const char* info;         /**< Info text; NULL: "Extracted model." */
} rvc_model_extract_config;

/** @brief Fills @p config with defaults (everything found out). */
RVC_API void rvc_model_extract_config_init(rvc_model_extract_config* config);

/**
 * @brief Makes a voice model from a training checkpoint `G_*.pth` exactly as RVC's "extract small
 *        model" does (enc_q dropped, fp16, RVC's config list, info/version/sr/f0).
 * @param checkpoint_path The G_*.pth; `config.json` and `train.log` beside it are read when present.
 * @param output_path The voice model to write (`.pth`).
 * @param config Options, or NULL for defaults.
 * @param[out] out_info Optional: the new model's metadata.
 * @return ::RVC_OK, ::RVC_ERROR_WRONG_MODEL_KIND (a D_*.pth, a voice model, ...),
 *         ::RVC_ERROR_INVALID_ARGUMENT (options that contradict the weights; the message says which).
 */
RVC_API rvc_status rvc_model_extract(const char* checkpoint_path, const char* output_path,
                                     const rvc_model_extract_config* config, rvc_model_info** out_info);

/** @brief How two models are merged. */
typedef struct rvc_model_merge_config {
  uint32_t struct_size;     /**< sizeof(rvc_model_merge_config), set by the init function. */
  double alpha;             /**< Weight of model A, 0..1; B gets 1 - alpha (0.5). */
  const char* info;         /**< Info text; NULL: "Merged: A x alpha + B x (1 - alpha)". */
  const char* sample_rate;  /**< "32k", "40k", "48k"; NULL keeps A's. */
  int32_t has_pitch;        /**< 1, 0, or -1 to keep A's (-1). */
  const char* version;      /**< "v1", "v2"; NULL keeps A's. */
} rvc_model_merge_config;

/** @brief Fills @p config with defaults (alpha 0.5, A's metadata). */
RVC_API void rvc_model_merge_config_init(rvc_model_merge_config* config);

/**
 * @brief RVC's weighted merge: each weight = alpha·A + (1 − alpha)·B in float32, stored fp16.
 * @param model_a A voice model or bundle (its config is kept).
 * @param model_b A voice model, bundle or G_*.pth.
 * @param output_path The voice model to write.
 * @param config Options, or NULL for defaults.
 * @param[out] out_info Optional: the new model's metadata.
 * @return ::RVC_OK, ::RVC_ERROR_INVALID_ARGUMENT for models of different architecture (the message
 *         names the difference), ::RVC_ERROR_WRONG_MODEL_KIND.
 */
RVC_API rvc_status rvc_model_merge(const char* model_a, const char* model_b, const char* output_path,
                                   const rvc_model_merge_config* config, rvc_model_info** out_info);

/** @brief How a bundle is made. */
typedef struct rvc_bundle_config {
  uint32_t struct_size;     /**< sizeof(rvc_bundle_config), set by the init function. */
  const char* index_path;   /**< added_*.index to include; NULL: a bundle without an index. */
  const char* name;         /**< Voice name; NULL: the model's file name. */
} rvc_bundle_config;

/** @brief Fills @p config with defaults (no index, the model's name). */
RVC_API void rvc_bundle_config_init(rvc_bundle_config* config);

/**
 * @brief Packs a voice model and its index into one `.rvcz` file (a zip of both, unchanged, and a
 *        manifest with version, rate, pitch flag and SHA-256 checksums).
 * @param model_path The voice model.
 * @param output_path The bundle to write.
 * @param config Options, or NULL.
 * @param[out] out_report Optional (may be NULL): rvc_file_inspect()'s report of the new bundle.
 * @return ::RVC_OK, ::RVC_ERROR_WRONG_MODEL_KIND, ::RVC_ERROR_INVALID_ARGUMENT (an index of another
 *         width than the model's).
 */
RVC_API rvc_status rvc_bundle_create(const char* model_path, const char* output_path,
                                     const rvc_bundle_config* config, rvc_file_report** out_report);

/** @brief The files rvc_bundle_unpack() wrote. */
typedef struct rvc_bundle_files rvc_bundle_files;
/** @brief Path of the voice model written. */
RVC_API const char* rvc_bundle_files_model_path(const rvc_bundle_files* files);
/** @brief Path of the index written; "" when the bundle has none. */
RVC_API const char* rvc_bundle_files_index_path(const rvc_bundle_files* files);
/** @brief The bundle's manifest as JSON (version, sr, f0, info, files with sizes and SHA-256). */
RVC_API const char* rvc_bundle_files_manifest_json(const rvc_bundle_files* files);
/** @brief Releases the result; NULL is a no-op. */
RVC_API void rvc_bundle_files_destroy(rvc_bundle_files* files);

/**
 * @brief Writes a bundle's model and index, checksum-verified, into a folder under their original names.
 * @param bundle_path The `.rvcz` file.
 * @param output_dir Folder (created when missing); NULL or "": the current folder.
 * @param overwrite 1 replaces existing files; 0 refuses (::RVC_ERROR_INVALID_ARGUMENT) and writes nothing.
 * @param[out] out_files Optional (may be NULL): where the files went; release with rvc_bundle_files_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_CORRUPT_FILE (damaged or tampered bundle), ::RVC_ERROR_WRONG_MODEL_KIND.
 */
RVC_API rvc_status rvc_bundle_unpack(const char* bundle_path, const char* output_dir, int32_t overwrite,
                                     rvc_bundle_files** out_files);

/** @brief The voice models found under a folder. */
typedef struct rvc_model_list rvc_model_list;

/**
 * @brief Finds every voice model and bundle under a folder (recursively, sorted by path) and the
 *        index that goes with each: the bundle's own, else the `added_*.index` of the tree with the
 *        same experiment name and version (RVC's rule, the model name in the index path, otherwise).
 * @param folder The folder to search (RVC's root, `assets/weights`, `logs`, ...).
 * @param[out] out_list New list; release with rvc_model_list_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_INVALID_ARGUMENT (not a folder).
 */
RVC_API rvc_status rvc_model_list_find(const char* folder, rvc_model_list** out_list);
/** @brief Number of models found. */
RVC_API int64_t rvc_model_list_size(const rvc_model_list* list);
/** @brief Path of model @p i. */
RVC_API const char* rvc_model_list_path(const rvc_model_list* list, int64_t i);
/** @brief Its index: a file, the bundle itself, or "" when none was found. */
RVC_API const char* rvc_model_list_index_path(const rvc_model_list* list, int64_t i);
/** @brief 1 when model @p i is a bundle. */
RVC_API int32_t rvc_model_list_is_bundle(const rvc_model_list* list, int64_t i);
/** @brief Metadata of model @p i, owned by the list (do not destroy). */
RVC_API const rvc_model_info* rvc_model_list_info(const rvc_model_list* list, int64_t i);
/** @brief Number of .pth/.pt/.rvcz files that are not voice models (training checkpoints, encoders, damaged files). */
RVC_API int64_t rvc_model_list_skipped_size(const rvc_model_list* list);
/** @brief "`<path>`: what it is" for skipped file @p i. */
RVC_API const char* rvc_model_list_skipped(const rvc_model_list* list, int64_t i);
/** @brief Everything as JSON: {"models": [{"path", "name", "bundle", "index", "model": {...}}], "skipped": [...]}. */
RVC_API const char* rvc_model_list_json(const rvc_model_list* list);
/** @brief Releases the list; NULL is a no-op. */
RVC_API void rvc_model_list_destroy(rvc_model_list* list);

/** @} */


/**
 * @defgroup rvc_synthesizer Synthesizer
 * One voice model run directly: content features and pitch in, audio at the model's rate out.
 * Most applications use the engine (conversion from audio); this is the layer under it.
 * @{
 */

/** @brief A loaded voice model, read-only after creation; any thread may call infer. */
typedef struct rvc_synthesizer rvc_synthesizer;

/** @brief Numeric precisions. */
enum rvc_precision {
  RVC_PRECISION_AUTO = 0,    /**< fp32 on CPU, fp16 on CUDA. */
  RVC_PRECISION_FLOAT32 = 1, /**< fp32. */
  RVC_PRECISION_FLOAT16 = 2, /**< fp16 (CUDA only). */
  RVC_PRECISION_BFLOAT16 = 3 /**< bf16 (opt-in on CPU). */
};

/** @brief How a synthesizer is loaded. */
typedef struct rvc_synthesizer_config {
  uint32_t struct_size; /**< sizeof(rvc_synthesizer_config), set by the init function. */
  const char* device;   /**< "cpu", "cuda", "cuda:N"; NULL = "cpu". */
  int32_t precision;    /**< An ::rvc_precision. */
} rvc_synthesizer_config;

/** @brief Fills @p config with defaults (cpu, auto precision). */
RVC_API void rvc_synthesizer_config_init(rvc_synthesizer_config* config);

/** @brief Per-call options of rvc_synthesizer_infer(). */
typedef struct rvc_synthesis_options {
  uint32_t struct_size;   /**< sizeof(rvc_synthesis_options), set by the init function. */
  int32_t speaker_id;     /**< Speaker row (0 for single-speaker models). */
  float noise_scale;      /**< Prior noise scale; RVC's 0.66666 by default. */
  int64_t seed;           /**< >= 0: reproducible noise; -1 (default): fresh noise every call. */
  int32_t zero_noise;     /**< 1: no noise at all (the parity mode of the test fixtures). */
  int64_t skip_head;      /**< Real-time entry: frames to skip before the kept part (0). */
  int64_t return_length;  /**< Frames to return after skip_head; -1 = all (default). */
  int64_t return_length2; /**< Resample the kept frames to this many (formant shift); -1 = off. */
} rvc_synthesis_options;

/** @brief Fills @p options with defaults. */
RVC_API void rvc_synthesis_options_init(rvc_synthesis_options* options);

/**
 * @brief Loads a voice model (`weights/<name>.pth`).
 * @param path UTF-8 path.
 * @param config Options, or NULL for defaults.
 * @param[out] out_synthesizer New handle; release with rvc_synthesizer_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_WRONG_MODEL_KIND (training checkpoint, encoder, pitch model),
 *         ::RVC_ERROR_CORRUPT_FILE, ::RVC_ERROR_UNSUPPORTED (other vocoder, no CUDA), ...
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_synthesizer_create(const char* path, const rvc_synthesizer_config* config,
                                          rvc_synthesizer** out_synthesizer);

/** @brief Releases a synthesizer; NULL is a no-op. */
RVC_API void rvc_synthesizer_destroy(rvc_synthesizer* synthesizer);

/** @brief Output sample rate in Hz. */
RVC_API int32_t rvc_synthesizer_sample_rate_hz(const rvc_synthesizer* synthesizer);
/** @brief Output samples per input frame. */
RVC_API int32_t rvc_synthesizer_hop_samples(const rvc_synthesizer* synthesizer);
/** @brief Feature width the model takes: 256 (v1) or 768 (v2). */
RVC_API int32_t rvc_synthesizer_feature_dim(const rvc_synthesizer* synthesizer);
/** @brief 1 when the model needs pitch (and pitchf). */
RVC_API int32_t rvc_synthesizer_has_pitch(const rvc_synthesizer* synthesizer);
/** @brief Number of speakers. */
RVC_API int32_t rvc_synthesizer_num_speakers(const rvc_synthesizer* synthesizer);

/**
 * @brief Synthesizes audio from content features and pitch.
 * @param synthesizer The model.
 * @param features @p num_frames × @p feature_dim floats, row-major (100 frames per second).
 * @param num_frames At least 1.
 * @param feature_dim Must equal rvc_synthesizer_feature_dim().
 * @param pitch Coarse pitch 1..255 per frame (pitch models; NULL otherwise).
 * @param pitch_hz f0 in Hz per frame, 0 = unvoiced (pitch models; NULL otherwise).
 * @param options Options, or NULL for defaults.
 * @param[out] out_audio New audio at the model's rate; release with rvc_audio_destroy().
 * Any thread, also concurrently on one synthesizer; not real-time safe.
 */
RVC_API rvc_status rvc_synthesizer_infer(const rvc_synthesizer* synthesizer, const float* features,
                                         int64_t num_frames, int64_t feature_dim, const int64_t* pitch,
                                         const float* pitch_hz, const rvc_synthesis_options* options,
                                         rvc_audio** out_audio);

/** @} */

/**
 * @defgroup rvc_content Content encoder
 * HuBERT/ContentVec: 16 kHz audio in, content features out (50 frames per second). Reads the
 * fairseq `hubert_base.pt` and the Hugging Face folder (`config.json` + `pytorch_model.bin` or
 * `model.safetensors`). Most applications use the engine; this is the layer under it.
 * @{
 */

/** @brief A loaded content encoder, read-only after creation; any thread may call extract. */
typedef struct rvc_content_encoder rvc_content_encoder;
/** @brief Content features: frames × dim floats, row-major. */
typedef struct rvc_features rvc_features;

/** @brief How a content encoder is loaded. */
typedef struct rvc_content_encoder_config {
  uint32_t struct_size; /**< sizeof(rvc_content_encoder_config), set by the init function. */
  const char* device;   /**< "cpu", "cuda", "cuda:N"; NULL = "cpu". */
  int32_t precision;    /**< An ::rvc_precision (fp16 on CUDA only). */
} rvc_content_encoder_config;

/** @brief Fills @p config with defaults (cpu, auto precision). */
RVC_API void rvc_content_encoder_config_init(rvc_content_encoder_config* config);

/**
 * @brief Loads a content encoder.
 * @param path UTF-8 path: `hubert_base.pt`, a Hugging Face folder, or a weights file inside one.
 * @param config Options, or NULL for defaults.
 * @param[out] out_encoder New handle; release with rvc_content_encoder_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_WRONG_MODEL_KIND (voice model, pitch
 *         model, training checkpoint), ::RVC_ERROR_CORRUPT_FILE, ::RVC_ERROR_UNSUPPORTED, ...
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_content_encoder_create(const char* path, const rvc_content_encoder_config* config,
                                              rvc_content_encoder** out_encoder);

/** @brief Releases a content encoder; NULL is a no-op. */
RVC_API void rvc_content_encoder_destroy(rvc_content_encoder* encoder);

/** @brief Feature width for @p version ("v1": 256, "v2": 768 for the real encoder); 0 if unknown. */
RVC_API int32_t rvc_content_encoder_feature_dim(const rvc_content_encoder* encoder, const char* version);

/**
 * @brief Extracts content features, as RVC does (no waveform normalisation).
 * @param encoder The encoder.
 * @param samples Mono samples.
 * @param num_samples At least 400 (one 25 ms window); frames = (num_samples − 400) / 320 + 1.
 * @param sample_rate_hz Must be 16000 (resample first).
 * @param version "v1" (layer 9 through final_proj) or "v2" (last layer): the voice model's version,
 *        as rvc_model_info_version() gives it.
 * @param[out] out_features New features; release with rvc_features_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_INVALID_AUDIO (too short, non-finite), ::RVC_ERROR_INVALID_ARGUMENT
 *         (other rate or version), ...
 * Any thread, also concurrently on one encoder; not real-time safe.
 */
RVC_API rvc_status rvc_content_encoder_extract(const rvc_content_encoder* encoder, const float* samples,
                                               int64_t num_samples, int32_t sample_rate_hz, const char* version,
                                               rvc_features** out_features);

/** @brief The features, num_frames × dim floats, row-major; valid until rvc_features_destroy(). */
RVC_API const float* rvc_features_data(const rvc_features* features);
/** @brief Number of frames (50 per second of audio). */
RVC_API int64_t rvc_features_num_frames(const rvc_features* features);
/** @brief Floats per frame. */
RVC_API int32_t rvc_features_dim(const rvc_features* features);
/** @brief Releases features; NULL is a no-op. */
RVC_API void rvc_features_destroy(rvc_features* features);

/** @} */

/**
 * @defgroup f0 Pitch (f0) estimation
 * 16 kHz audio in, f0 in Hz at 100 frames per second out (0 = unvoiced), with the methods RVC
 * offers. Most applications use the engine; this is the layer under it.
 * @{
 */

/** @brief The f0 methods (RVC's names: "pm", "harvest", "dio", "rmvpe", "fcpe"). */
enum rvc_f0_method {
  RVC_F0_METHOD_PM = 0,      /**< Praat autocorrelation. */
  RVC_F0_METHOD_HARVEST = 1, /**< WORLD harvest + stonemask. */
  RVC_F0_METHOD_DIO = 2,     /**< WORLD dio + stonemask. */
  RVC_F0_METHOD_RMVPE = 3,   /**< RMVPE network (rmvpe.pt), RVC's default. */
  RVC_F0_METHOD_FCPE = 4     /**< FCPE network (torchfcpe checkpoint). */
};

/** @brief A loaded f0 estimator, read-only after creation; any thread may call estimate. */
typedef struct rvc_f0_estimator rvc_f0_estimator;
/** @brief A pitch track: f0 per frame and, where the method has one, a confidence per frame. */
typedef struct rvc_f0_track rvc_f0_track;

/** @brief How an f0 estimator is created. */
typedef struct rvc_f0_estimator_config {
  uint32_t struct_size;     /**< sizeof(rvc_f0_estimator_config), set by the init function. */
  const char* model_path;   /**< UTF-8 path of the network (rmvpe.pt, FCPE checkpoint); NULL for pm/harvest/dio. */
  const char* device;       /**< "cpu", "cuda", "cuda:N"; NULL = "cpu". */
  int32_t precision;        /**< An ::rvc_precision (fp16 on CUDA only). */
  double voicing_threshold; /**< Negative: RVC's threshold for the method (rmvpe 0.03, fcpe 0.006). */
} rvc_f0_estimator_config;

/** @brief Fills @p config with defaults (no model, cpu, auto precision, RVC's threshold). */
RVC_API void rvc_f0_estimator_config_init(rvc_f0_estimator_config* config);

/** @brief RVC's name of an ::rvc_f0_method ("rmvpe", ...); "unknown" for other values. */
RVC_API const char* rvc_f0_method_name(int32_t method);

/**
 * @brief The ::rvc_f0_method named @p name (case-insensitive).
 * @return ::RVC_OK, or ::RVC_ERROR_INVALID_ARGUMENT listing the names.
 */
RVC_API rvc_status rvc_f0_method_from_name(const char* name, int32_t* out_method);

/**
 * @brief Creates the estimator for @p method.
 * @param method An ::rvc_f0_method.
 * @param config Options (model_path is required for rmvpe and fcpe).
 * @param[out] out_estimator New handle; release with rvc_f0_estimator_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_WRONG_MODEL_KIND (a voice model, a
 *         content encoder, ... where the method's network is expected), ::RVC_ERROR_CORRUPT_FILE,
 *         ::RVC_ERROR_UNSUPPORTED (a method not in this build yet, a device it cannot use), ...
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_f0_estimator_create(int32_t method, const rvc_f0_estimator_config* config,
                                           rvc_f0_estimator** out_estimator);

/** @brief Releases an estimator; NULL is a no-op. */
RVC_API void rvc_f0_estimator_destroy(rvc_f0_estimator* estimator);

/**
 * @brief Estimates the pitch of mono audio.
 * @param estimator The estimator.
 * @param samples Mono samples.
 * @param num_samples Samples; frames = num_samples / 160 + 1.
 * @param sample_rate_hz Must be 16000 (resample first, e.g. rvc_audio_read with a target rate).
 * @param[out] out_track New track; release with rvc_f0_track_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_INVALID_AUDIO (empty, too short, non-finite),
 *         ::RVC_ERROR_INVALID_ARGUMENT (another rate), ...
 * Any thread, also concurrently on one estimator; not real-time safe.
 */
RVC_API rvc_status rvc_f0_estimator_estimate(const rvc_f0_estimator* estimator, const float* samples,
                                             int64_t num_samples, int32_t sample_rate_hz, rvc_f0_track** out_track);

/** @brief Number of frames (100 per second of audio). */
RVC_API int64_t rvc_f0_track_num_frames(const rvc_f0_track* track);
/** @brief f0 per frame in Hz (0 = unvoiced); valid until rvc_f0_track_destroy(). */
RVC_API const double* rvc_f0_track_hz(const rvc_f0_track* track);
/** @brief Confidence per frame, or NULL when the method has none; valid until rvc_f0_track_destroy(). */
RVC_API const float* rvc_f0_track_confidence(const rvc_f0_track* track);
/** @brief Releases a track; NULL is a no-op. */
RVC_API void rvc_f0_track_destroy(rvc_f0_track* track);

/** @} */

/**
 * @defgroup rvc_index Retrieval index
 * RVC's faiss index (`added_IVF<n>_Flat_nprobe_1_<name>_<v1|v2>.index`): reading it, searching it,
 * the feature blend the converter applies, and building one from training features the way RVC's
 * index step does. Most applications pass the index to the engine; this is the layer under it.
 * @{
 */

/** @brief A loaded index, read-only after creation; any thread may search and blend. */
typedef struct rvc_index rvc_index;

/** @brief How an index is loaded. */
typedef struct rvc_index_config {
  uint32_t struct_size; /**< sizeof(rvc_index_config), set by the init function. */
  int32_t expected_dim; /**< The voice model's feature width (256 v1, 768 v2); 0 accepts any. */
  int32_t nprobe;       /**< Lists scanned per query; 0 keeps the file's (RVC's 1). */
} rvc_index_config;

/** @brief Fills @p config with defaults (any width, the file's nprobe). */
RVC_API void rvc_index_config_init(rvc_index_config* config);

/**
 * @brief Loads an index file and reconstructs its vectors (as RVC does at load).
 * @param path UTF-8 path of an `added_*.index` file; any characters work.
 * @param config Options, or NULL for defaults.
 * @param[out] out_index New handle; release with rvc_index_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_WRONG_MODEL_KIND (a `trained_*.index`
 *         with no vectors, a PyTorch file), ::RVC_ERROR_CORRUPT_FILE (not a faiss index, truncated),
 *         ::RVC_ERROR_INVALID_ARGUMENT (width is not config->expected_dim), ::RVC_ERROR_UNSUPPORTED.
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_index_load(const char* path, const rvc_index_config* config, rvc_index** out_index);

/** @brief Releases an index; NULL is a no-op. */
RVC_API void rvc_index_destroy(rvc_index* index);

/** @brief Feature width (0 for NULL). */
RVC_API int32_t rvc_index_dim(const rvc_index* index);
/** @brief Vectors stored (faiss ntotal). */
RVC_API int64_t rvc_index_num_vectors(const rvc_index* index);
/** @brief Inverted lists (faiss nlist); 0 for a flat index. */
RVC_API int64_t rvc_index_num_lists(const rvc_index* index);
/** @brief Lists scanned per query. */
RVC_API int32_t rvc_index_nprobe(const rvc_index* index);
/** @brief The structure as a faiss factory string ("IVF256,Flat"); valid until rvc_index_destroy(). */
RVC_API const char* rvc_index_description(const rvc_index* index);
/** @brief The stored vectors, num_vectors × dim floats in id order; valid until rvc_index_destroy(). */
RVC_API const float* rvc_index_vectors(const rvc_index* index);

/**
 * @brief The @p k nearest stored vectors of each query row, nearest first.
 * @param index The index.
 * @param queries @p num_queries × @p dim floats, row-major.
 * @param num_queries Rows.
 * @param dim Must equal rvc_index_dim().
 * @param k Neighbours per row (RVC uses 8).
 * @param[out] out_distances @p num_queries × @p k squared L2 distances (caller-owned).
 * @param[out] out_ids @p num_queries × @p k ids; -1 where fewer than @p k vectors were reached.
 * Any thread, also concurrently on one index; not real-time safe.
 */
RVC_API rvc_status rvc_index_search(const rvc_index* index, const float* queries, int64_t num_queries, int32_t dim,
                                    int32_t k, float* out_distances, int64_t* out_ids);

/**
 * @brief RVC's retrieval blend: `out = index_rate · Σ w·neighbour + (1 − index_rate) · features`,
 * with weights (1/distance)² normalised per row over the @p k nearest stored vectors.
 *
 * Rows with exact matches take their mean, missing neighbours (id -1) are left out, and a row
 * with none keeps its features: no NaN where RVC would produce one.
 *
 * @param index The index.
 * @param features @p num_frames × @p dim floats (content features at 50 frames per second).
 * @param num_frames Rows.
 * @param dim Must equal rvc_index_dim().
 * @param index_rate Share of the retrieved features, in [0, 1] (RVC's default 0.75).
 * @param k Neighbours (RVC uses 8).
 * @param[out] out_features @p num_frames × @p dim floats (caller-owned; may be @p features itself).
 * Any thread, also concurrently on one index; not real-time safe.
 */
RVC_API rvc_status rvc_index_blend(const rvc_index* index, const float* features, int64_t num_frames, int32_t dim,
                                   float index_rate, int32_t k, float* out_features);

/**
 * @brief Progress of a long operation: the stage ("shuffling", "reducing", "training", "adding",
 * "writing") and the fraction of it done. Return 0 to go on, anything else to cancel (the call
 * then fails with ::RVC_ERROR_CANCELLED). Called on the thread that made the call.
 */
typedef int32_t (*rvc_progress_callback)(const char* stage, double fraction, void* user_data);

/** @brief How an index is built; zero fields take RVC's values. */
typedef struct rvc_index_build_config {
  uint32_t struct_size;          /**< sizeof(rvc_index_build_config), set by the init function. */
  const char* name;              /**< Experiment name in the file names; NULL: the experiment folder's. */
  const char* version;           /**< "v1" or "v2"; NULL: from the width (256 → v1, 768 → v2). */
  int32_t no_shuffle;            /**< 1: keep the row order (RVC shuffles). */
  int64_t seed;                  /**< Shuffle seed: same features and seed, same index. */
  int64_t reduce_above_rows;     /**< k-means reduction above this many rows; 0 = 200000. */
  int32_t reduced_rows;          /**< Centres the reduction keeps; 0 = 10000. */
  int32_t add_batch_rows;        /**< Rows added per batch; 0 = 8192. */
  rvc_progress_callback progress; /**< Optional progress and cancel. */
  void* progress_user_data;      /**< Passed to @p progress. */
} rvc_index_build_config;

/** @brief Fills @p config with defaults (RVC's recipe, seed 0, no callback). */
RVC_API void rvc_index_build_config_init(rvc_index_build_config* config);

/** @brief What a build wrote. */
typedef struct rvc_index_build_result rvc_index_build_result;

/**
 * @brief Builds an index from training features on disk, RVC's way.
 *
 * Shuffle; above 200 000 rows a k-means reduction to 10 000 centres; faiss `IVF<n>,Flat` with
 * n = min(16·√rows, rows / 39) (at least 1) and nprobe 1; vectors added in batches. Writes
 * `trained_…index` and `added_…index`, each atomically.
 *
 * @param features_path A `.npy` file, a `3_feature768`/`3_feature256` folder (its files in sorted
 *        order) or the experiment folder `logs/<name>`.
 * @param output_dir Folder to write to (created if missing); NULL: the experiment folder.
 * @param config Options, or NULL for defaults.
 * @param[out] out_result New result; release with rvc_index_build_result_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND, ::RVC_ERROR_INVALID_ARGUMENT (no features, mixed
 *         widths, a version that does not fit), ::RVC_ERROR_CORRUPT_FILE (damaged or NaN features),
 *         ::RVC_ERROR_IO, ::RVC_ERROR_CANCELLED.
 * Any thread; not real-time safe (minutes for large sets).
 */
RVC_API rvc_status rvc_index_build(const char* features_path, const char* output_dir,
                                   const rvc_index_build_config* config, rvc_index_build_result** out_result);

/**
 * @brief Builds an index from a feature matrix in memory (copied first); see rvc_index_build().
 * @param features @p num_rows × @p dim floats, row-major.
 * @param num_rows Rows (feature frames).
 * @param dim Width: 256 (v1) or 768 (v2), or say config->version.
 * @param output_dir Folder to write to (created if missing).
 * @param config Options, or NULL for defaults (name "voice").
 * @param[out] out_result New result; release with rvc_index_build_result_destroy().
 */
RVC_API rvc_status rvc_index_build_from_features(const float* features, int64_t num_rows, int32_t dim,
                                                 const char* output_dir, const rvc_index_build_config* config,
                                                 rvc_index_build_result** out_result);

/** @brief Path of the `added_…index` file (the one to convert with). */
RVC_API const char* rvc_index_build_result_added_path(const rvc_index_build_result* result);
/** @brief Path of the `trained_…index` file (no vectors). */
RVC_API const char* rvc_index_build_result_trained_path(const rvc_index_build_result* result);
/** @brief Feature rows given. */
RVC_API int64_t rvc_index_build_result_input_rows(const rvc_index_build_result* result);
/** @brief Vectors in the index (the k-means centres when reduced). */
RVC_API int64_t rvc_index_build_result_num_vectors(const rvc_index_build_result* result);
/** @brief Inverted lists. */
RVC_API int64_t rvc_index_build_result_num_lists(const rvc_index_build_result* result);
/** @brief 1 when k-means reduced the rows. */
RVC_API int32_t rvc_index_build_result_reduced(const rvc_index_build_result* result);
/** @brief Wall time of the build in seconds. */
RVC_API double rvc_index_build_result_seconds(const rvc_index_build_result* result);
/** @brief Releases a result; NULL is a no-op. */
RVC_API void rvc_index_build_result_destroy(rvc_index_build_result* result);

/** @} */

/**
 * @defgroup rvc_engine Engine: voice conversion
 * A voice model with its content encoder, pitch estimators and optional retrieval index, loaded
 * once; it converts any number of inputs the way RVC's offline converter does (peak guard, 48 Hz
 * high-pass, chunking of long inputs, f0, features, index blend, protect, synthesis, RMS envelope
 * mix, optional resampling).
 *
 * @code
 * rvc_engine_config config;
 * rvc_engine_config_init(&config);
 * config.model_path = "weights/My Voice (v2).pth";
 * config.index_path = "logs/my voice/added_IVF256_Flat_nprobe_1_my voice_v2.index";
 * config.assets_dir = "assets";   // hubert/hubert_base.pt and rmvpe/rmvpe.pt, RVC's layout
 * rvc_engine* engine = NULL;
 * if (rvc_engine_create(&config, &engine) != RVC_OK) { puts(rvc_last_error_message()); return 1; }
 *
 * rvc_convert_params params;
 * rvc_convert_params_init(&params);   // RVC's defaults: rmvpe, index_rate 0.75, protect 0.33, ...
 * params.f0_up_key = 12;              // an octave up
 * int64_t capacity = 0, written = 0;
 * rvc_engine_output_capacity(engine, num_samples, 44100, &params, &capacity);
 * float* out = malloc(capacity * sizeof(float));
 * rvc_engine_convert(engine, samples, num_samples, 44100, &params, out, capacity, &written);
 * // out holds `written` samples at rvc_engine_output_rate_hz(engine, &params)
 * rvc_engine_convert_file(engine, "in.mp3", "out.wav", &params, NULL, NULL);
 * rvc_engine_destroy(engine);
 * @endcode
 * @{
 */

/** @brief A loaded engine, read-only after creation; any number of threads may convert at once. */
typedef struct rvc_engine rvc_engine;

/** @brief RVC's chunking presets for long inputs (seconds of context, split search, spacing, maximum). */
enum rvc_chunking {
  RVC_CHUNKING_AUTO = 0,      /**< fp16 preset when the networks run in fp16, else fp32 (RVC's rule). */
  RVC_CHUNKING_FLOAT32 = 1,   /**< x_pad 1, x_query 6, x_center 38, x_max 41. */
  RVC_CHUNKING_FLOAT16 = 2,   /**< x_pad 3, x_query 10, x_center 60, x_max 65. */
  RVC_CHUNKING_LOW_MEMORY = 3 /**< x_pad 1, x_query 5, x_center 30, x_max 32. */
};

/** @brief Which RVC release's behaviour to reproduce where they differ. */
enum rvc_compat {
  RVC_COMPAT_CLASSIC = 0, /**< RVC 2023–2024 (default): unvoiced f0 stays 0 so protect acts; classic sine source. */
  RVC_COMPAT_2026 = 1     /**< RVC 2026 (main): unvoiced f0 interpolated; cumulative sine source. */
};

/** @brief What an engine loads. Only model_path is required. */
typedef struct rvc_engine_config {
  uint32_t struct_size;    /**< sizeof(rvc_engine_config), set by the init function. */
  const char* model_path;  /**< Voice model (`weights/<name>.pth`) or voice bundle (`.rvcz`). */
  const char* index_path;  /**< `added_*.index`; NULL or "": a bundle's own index, else no retrieval. */
  const char* hubert_path; /**< hubert_base.pt or a ContentVec folder; NULL: `<assets>/hubert/hubert_base.pt`. */
  const char* rmvpe_path;  /**< rmvpe.pt; NULL: `<assets>/rmvpe/rmvpe.pt` when it exists. */
  const char* fcpe_path;   /**< FCPE checkpoint; NULL: `<assets>/fcpe/fcpe.pt` when it exists. */
  const char* assets_dir;  /**< RVC's assets folder; NULL: $RVC_ASSETS, else `assets`. */
  const char* device;      /**< "cpu", "cuda", "cuda:N"; NULL = "cpu". */
  int32_t precision;       /**< An ::rvc_precision (AUTO: fp32 on CPU, fp16 on CUDA = RVC's is_half). */
  int32_t chunking;        /**< An ::rvc_chunking. */
  int32_t num_threads;     /**< CPU threads of the networks, process-wide; 0 = one per logical core.
                                 An OpenBLAS under LibTorch is kept to its caller's thread (the networks
                                 split the work) unless OPENBLAS_NUM_THREADS is set. */
  int32_t no_bundled_index; /**< 1: with a bundle (.rvcz) as the model and no index_path, convert without
                                 the bundle's index (0 uses it). */
} rvc_engine_config;

/** @brief Fills @p config with defaults (no paths, cpu, auto precision and chunking). */
RVC_API void rvc_engine_config_init(rvc_engine_config* config);

/** @brief The parameters of one conversion, with RVC's names; the init function sets RVC's defaults. */
typedef struct rvc_convert_params {
  uint32_t struct_size;   /**< sizeof(rvc_convert_params), set by the init function. */
  double f0_up_key;       /**< Transposition in semitones (0). */
  int32_t f0_method;      /**< An ::rvc_f0_method (RVC_F0_METHOD_RMVPE). */
  double index_rate;      /**< Share of retrieved features, 0..1 (0.75). */
  int32_t filter_radius;  /**< 0..7; 3 or more median-filters harvest (3). */
  double rms_mix_rate;    /**< 0..1: 0 follows the input's loudness, 1 keeps the output's (0.25). */
  double protect;         /**< 0..0.5: retrieval share in unvoiced frames; 0.5 = off (0.33). */
  int32_t resample_sr;    /**< Output rate; 0 keeps the model's (0). */
  int32_t speaker_id;     /**< Speaker of a multi-speaker model (0). */
  const char* f0_file;    /**< Custom f0 curve (`time_s,f0_hz` lines); NULL = none. */
  float noise_scale;      /**< Prior noise scale (0.66666). */
  int64_t seed;           /**< >= 0: reproducible output; -1: fresh noise every call (-1). */
  int32_t zero_noise;     /**< 1: no random draws at all (parity mode) (0). */
  int32_t compat;         /**< An ::rvc_compat (RVC_COMPAT_CLASSIC). */
  rvc_progress_callback progress; /**< Optional: stages "pitch", "converting", "finishing"; nonzero cancels. */
  void* progress_user_data;       /**< Passed to @p progress. */
} rvc_convert_params;

/** @brief Fills @p params with RVC's WebUI defaults. */
RVC_API void rvc_convert_params_init(rvc_convert_params* params);

/** @brief Timings and sizes of one conversion. */
typedef struct rvc_conversion_stats {
  uint32_t struct_size;   /**< Set by the caller to sizeof(rvc_conversion_stats). */
  int64_t num_samples;    /**< Output samples. */
  int32_t sample_rate_hz; /**< Output rate. */
  double input_seconds;   /**< Input length. */
  double total_ms;        /**< Wall time of the conversion (reading and writing files excluded). */
  double pitch_ms;        /**< f0 estimation. */
  double features_ms;     /**< Content encoder. */
  double index_ms;        /**< Retrieval. */
  double synth_ms;        /**< Synthesizer. */
} rvc_conversion_stats;

/**
 * @brief Loads a voice model and everything it needs.
 * @param config What to load (model_path required).
 * @param[out] out_engine New handle; release with rvc_engine_destroy().
 * @return ::RVC_OK, ::RVC_ERROR_FILE_NOT_FOUND (also for a default asset, naming where it was
 *         looked for), ::RVC_ERROR_WRONG_MODEL_KIND (e.g. a G_*.pth training checkpoint),
 *         ::RVC_ERROR_INVALID_ARGUMENT (model/index or model/encoder width mismatch),
 *         ::RVC_ERROR_CORRUPT_FILE, ::RVC_ERROR_UNSUPPORTED.
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_engine_create(const rvc_engine_config* config, rvc_engine** out_engine);

/** @brief Releases an engine; NULL is a no-op. */
RVC_API void rvc_engine_destroy(rvc_engine* engine);

/** @brief The voice model's output rate in Hz. */
RVC_API int32_t rvc_engine_sample_rate_hz(const rvc_engine* engine);
/** @brief The rate a conversion with @p params returns (resample_sr, or the model's); NULL params: defaults. */
RVC_API int32_t rvc_engine_output_rate_hz(const rvc_engine* engine, const rvc_convert_params* params);
/** @brief 1 when the voice model is pitch-guided (f0 method used). */
RVC_API int32_t rvc_engine_has_pitch(const rvc_engine* engine);
/** @brief Speakers of the voice model. */
RVC_API int32_t rvc_engine_num_speakers(const rvc_engine* engine);
/**
 * @brief What was loaded, one `name: value` line each (model, version, rate, index, encoder,
 * rmvpe, device, precision, chunking); valid until rvc_engine_destroy().
 */
RVC_API const char* rvc_engine_description(const rvc_engine* engine);

/**
 * @brief Samples an output buffer needs for @p num_samples input samples at @p sample_rate_hz
 * (an upper bound; the output is 10–20 ms a chunk shorter than the input, as RVC's).
 */
RVC_API rvc_status rvc_engine_output_capacity(const rvc_engine* engine, int64_t num_samples, int32_t sample_rate_hz,
                                              const rvc_convert_params* params, int64_t* out_capacity);

/**
 * @brief Converts mono audio in memory.
 * @param engine The engine.
 * @param samples @p num_samples mono samples (caller-owned) at @p sample_rate_hz (any rate;
 *        resampled to 16 kHz first).
 * @param num_samples At least 0.1 s of audio.
 * @param sample_rate_hz Input rate.
 * @param params Parameters, or NULL for RVC's defaults.
 * @param[out] out Caller-owned buffer for the output at rvc_engine_output_rate_hz().
 * @param capacity Floats @p out holds; rvc_engine_output_capacity() gives enough.
 * @param[out] out_written Samples written; with ::RVC_ERROR_BUFFER_TOO_SMALL, the samples needed.
 * @return ::RVC_OK, ::RVC_ERROR_INVALID_AUDIO (empty, too short, NaN/Inf), ::RVC_ERROR_INVALID_ARGUMENT,
 *         ::RVC_ERROR_BUFFER_TOO_SMALL, ::RVC_ERROR_CANCELLED.
 * Any thread, also concurrently on one engine; not real-time safe (use a stream for live audio).
 */
RVC_API rvc_status rvc_engine_convert(const rvc_engine* engine, const float* samples, int64_t num_samples,
                                      int32_t sample_rate_hz, const rvc_convert_params* params, float* out,
                                      int64_t capacity, int64_t* out_written);

/**
 * @brief Converts an audio file into another, written atomically; the output's extension picks
 * the container (.wav, .flac, .ogg). 16-bit outputs hold RVC's exact samples (×32768, truncated).
 * @param engine The engine.
 * @param input_path Any format rvc_audio_load() reads (UTF-8 path).
 * @param output_path Where to write (UTF-8 path).
 * @param params Parameters, or NULL for RVC's defaults.
 * @param write_config Encoding, or NULL for the container's default (16-bit for .wav/.flac).
 * @param[out] out_stats Timings and sizes, or NULL; set its struct_size first.
 * Any thread; not real-time safe.
 */
RVC_API rvc_status rvc_engine_convert_file(const rvc_engine* engine, const char* input_path, const char* output_path,
                                           const rvc_convert_params* params,
                                           const rvc_audio_write_config* write_config,
                                           rvc_conversion_stats* out_stats);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RVC_RVC_H_ */
