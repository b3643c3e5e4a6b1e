// rvc._rvc: the Python view of the C ABI. Heavy calls release the GIL; arrays come back as numpy
// arrays that own their memory (audio without a copy).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>

#include "rvc/rvc.hpp"

namespace py = pybind11;

namespace {

// Raises rvc.RvcError (or its subclass for the status) with the library's message.
[[noreturn]] void raise_error(const rvc::capi::Error& error) {
  py::object errors = py::module_::import("rvc._errors");
  py::object exception = errors.attr("error_for_status")(error.status(), error.what());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exception.ptr())), exception.ptr());
  throw py::error_already_set();
}

template <typename Body>
auto call(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const rvc::capi::Error& error) {
    raise_error(error);
  }
}

py::dtype numpy_dtype(int32_t dtype) {
  switch (dtype) {
    case RVC_DTYPE_FLOAT16: return py::dtype("float16");
    case RVC_DTYPE_BFLOAT16: return py::dtype("float32");  // numpy has no bfloat16: widened exactly
    case RVC_DTYPE_FLOAT32: return py::dtype("float32");
    case RVC_DTYPE_FLOAT64: return py::dtype("float64");
    case RVC_DTYPE_INT64: return py::dtype("int64");
    case RVC_DTYPE_INT32: return py::dtype("int32");
    case RVC_DTYPE_INT16: return py::dtype("int16");
    case RVC_DTYPE_INT8: return py::dtype("int8");
    case RVC_DTYPE_UINT8: return py::dtype("uint8");
    case RVC_DTYPE_BOOL: return py::dtype("bool");
    default: throw std::runtime_error("unknown dtype " + std::to_string(dtype));
  }
}

py::array tensor_to_numpy(const rvc_value* value) {
  const int32_t dtype = rvc_value_tensor_dtype(value);
  std::vector<py::ssize_t> shape;
  py::ssize_t numel = 1;
  for (int32_t d = 0; d < rvc_value_tensor_rank(value); ++d) {
    shape.push_back(static_cast<py::ssize_t>(rvc_value_tensor_dim(value, d)));
    numel *= shape.back();
  }
  py::array array(numpy_dtype(dtype), shape);
  if (dtype == RVC_DTYPE_BFLOAT16) {
    std::vector<uint16_t> raw(static_cast<std::size_t>(numel));
    rvc::capi::check(rvc_value_tensor_copy(value, raw.data(), static_cast<int64_t>(raw.size() * 2)));
    auto* out = static_cast<float*>(array.mutable_data());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const uint32_t bits = static_cast<uint32_t>(raw[i]) << 16;
      std::memcpy(out + i, &bits, sizeof(float));
    }
  } else {
    rvc::capi::check(rvc_value_tensor_copy(value, array.mutable_data(), static_cast<int64_t>(array.nbytes())));
  }
  return array;
}

py::object to_python(const rvc_value* value) {
  int64_t size = 0;
  switch (rvc_value_kind(value)) {
    case RVC_VALUE_NONE: return py::none();
    case RVC_VALUE_BOOL: return py::bool_(rvc_value_int(value) != 0);
    case RVC_VALUE_INT: return py::int_(rvc_value_int(value));
    case RVC_VALUE_FLOAT: return py::float_(rvc_value_float(value));
    case RVC_VALUE_STRING: {
      const char* text = rvc_value_string(value, &size);
      return py::reinterpret_steal<py::object>(
          PyUnicode_DecodeUTF8(text, static_cast<py::ssize_t>(size), "surrogateescape"));
    }
    case RVC_VALUE_BYTES: {
      const char* data = rvc_value_string(value, &size);
      return py::bytes(data, static_cast<std::size_t>(size));
    }
    case RVC_VALUE_LIST: {
      py::list list;
      for (int64_t i = 0; i < rvc_value_length(value); ++i) list.append(to_python(rvc_value_item(value, i)));
      return std::move(list);
    }
    case RVC_VALUE_TUPLE: {
      py::tuple tuple(static_cast<std::size_t>(rvc_value_length(value)));
      for (int64_t i = 0; i < rvc_value_length(value); ++i) {
        tuple[static_cast<std::size_t>(i)] = to_python(rvc_value_item(value, i));
      }
      return std::move(tuple);
    }
    case RVC_VALUE_DICT: {
      py::dict dict;
      for (int64_t i = 0; i < rvc_value_length(value); ++i) {
        py::object key = to_python(rvc_value_key(value, i));
        if (PyObject_Hash(key.ptr()) == -1) {
          PyErr_Clear();
          key = py::str(py::repr(key));  // unhashable keys (lists) become their repr
        }
        dict[key] = to_python(rvc_value_item(value, i));
      }
      return std::move(dict);
    }
    case RVC_VALUE_TENSOR: return tensor_to_numpy(value);
    case RVC_VALUE_OBJECT: {
      const rvc_value* state = rvc_value_object_state(value);
      py::object opaque = py::module_::import("rvc").attr("OpaqueObject");
      return opaque(rvc_value_object_class(value), to_python(rvc_value_object_args(value)),
                    state != nullptr ? to_python(state) : py::none());
    }
    default: return py::none();
  }
}

std::string path_string(const py::object& path) {
  return py::str(py::module_::import("os").attr("fspath")(path));
}

// A numpy view of library-owned audio: the capsule frees it with the array.
py::array_t<float> audio_array(rvc_audio* handle) {
  py::capsule owner(handle, [](void* audio) { rvc_audio_destroy(static_cast<rvc_audio*>(audio)); });
  py::array_t<float> samples({static_cast<py::ssize_t>(rvc_audio_num_samples(handle))},
                             {static_cast<py::ssize_t>(sizeof(float))}, rvc_audio_samples(handle), owner);
  py::detail::array_proxy(samples.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return samples;
}

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using IntArray = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

py::array_t<float> synthesize(const rvc::capi::Synthesizer& synth, const FloatArray& features,
                              const std::optional<IntArray>& pitch, const std::optional<FloatArray>& pitchf,
                              int32_t speaker_id, float noise_scale, std::optional<int64_t> seed, bool zero_noise,
                              int64_t skip_head, std::optional<int64_t> return_length,
                              std::optional<int64_t> return_length2) {
  if (features.ndim() < 2 || (features.ndim() == 3 && features.shape(0) != 1) || features.ndim() > 3) {
    throw py::value_error("Synthesizer.infer: features must be [frames, dim] or [1, frames, dim]");
  }
  const int64_t frames = features.shape(features.ndim() - 2);
  const int64_t dim = features.shape(features.ndim() - 1);
  auto check_length = [&](py::ssize_t size, const char* name) {
    if (size != frames) {
      throw py::value_error(std::string("Synthesizer.infer: ") + name + " has " + std::to_string(size) +
                            " values but features have " + std::to_string(frames) + " frames");
    }
  };
  if (pitch) check_length(pitch->size(), "pitch");
  if (pitchf) check_length(pitchf->size(), "pitchf");
  rvc_synthesis_options options;
  rvc_synthesis_options_init(&options);
  options.speaker_id = speaker_id;
  options.noise_scale = noise_scale;
  options.seed = seed.value_or(-1);
  options.zero_noise = zero_noise ? 1 : 0;
  options.skip_head = skip_head;
  options.return_length = return_length.value_or(-1);
  options.return_length2 = return_length2.value_or(-1);
  rvc_audio* audio = call([&] {
    py::gil_scoped_release release;
    return synth.infer(features.data(), frames, dim, pitch ? pitch->data() : nullptr,
                       pitchf ? pitchf->data() : nullptr, &options)
        .release();
  });
  return audio_array(audio);
}

// (f0 Hz float64 [frames], confidence float32 [frames] or None).
py::tuple estimate_f0(const rvc::capi::F0Estimator& estimator, const FloatArray& audio, int32_t sample_rate) {
  if (audio.ndim() != 1 && !(audio.ndim() == 2 && audio.shape(0) == 1)) {
    throw py::value_error("F0Estimator.estimate: audio must be mono, [samples] or [1, samples]");
  }
  std::optional<rvc::capi::F0Track> track;
  call([&] {
    py::gil_scoped_release release;
    track.emplace(estimator.estimate(audio.data(), static_cast<int64_t>(audio.size()), sample_rate));
  });
  const auto frames = static_cast<py::ssize_t>(track->num_frames());
  py::array_t<double> hz(frames);
  std::memcpy(hz.mutable_data(), track->hz(), static_cast<std::size_t>(frames) * sizeof(double));
  py::object confidence = py::none();
  if (track->confidence() != nullptr) {
    py::array_t<float> values(frames);
    std::memcpy(values.mutable_data(), track->confidence(), static_cast<std::size_t>(frames) * sizeof(float));
    confidence = std::move(values);
  }
  return py::make_tuple(hz, confidence);
}

py::array_t<float> extract_features(const rvc::capi::ContentEncoder& encoder, const FloatArray& audio,
                                    const std::string& version, int32_t sample_rate) {
  if (audio.ndim() != 1 && !(audio.ndim() == 2 && audio.shape(0) == 1)) {
    throw py::value_error("ContentEncoder.extract: audio must be mono, [samples] or [1, samples]");
  }
  rvc_features* handle = call([&] {
    py::gil_scoped_release release;
    return encoder.extract(audio.data(), audio.size(), sample_rate, version).release();
  });
  py::capsule owner(handle, [](void* features) { rvc_features_destroy(static_cast<rvc_features*>(features)); });
  const auto frames = static_cast<py::ssize_t>(rvc_features_num_frames(handle));
  const auto dim = static_cast<py::ssize_t>(rvc_features_dim(handle));
  py::array_t<float> features({frames, dim}, {dim * static_cast<py::ssize_t>(sizeof(float)), static_cast<py::ssize_t>(sizeof(float))},
                              rvc_features_data(handle), owner);
  py::detail::array_proxy(features.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return features;
}

// A Python progress callable behind an rvc_progress_callback: None or True goes on, False
// cancels, and an exception it raises cancels and is re-raised once the call returns.
struct PythonProgress {
  py::object callback;
  std::optional<py::error_already_set> error;

  static int32_t call(const char* stage, double fraction, void* user_data) {
    auto* self = static_cast<PythonProgress*>(user_data);
    py::gil_scoped_acquire acquire;
    try {
      const py::object answer = self->callback(stage, fraction);
      return answer.is_none() || answer.cast<bool>() ? 0 : 1;
    } catch (py::error_already_set& error) {
      self->error.emplace(std::move(error));
      return 1;
    }
  }
  // Points `callback`/`user_data` at this object when a callable was given.
  void attach(rvc_progress_callback& function, void*& user_data) {
    if (callback.is_none()) return;
    function = &PythonProgress::call;
    user_data = this;
  }
  // Runs a C ABI call: the callback's own exception wins over the cancellation it caused.
  template <typename Body>
  auto run(Body&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const rvc::capi::Error& e) {
      if (error) throw std::move(*error);
      raise_error(e);
    }
  }
};

// Arguments of Index.build that map onto rvc_index_build_config.
struct IndexBuildOptions {
  std::optional<std::string> name;
  std::optional<std::string> version;
  bool shuffle = true;
  int64_t seed = 0;
  int64_t reduce_above_rows = 0;
  int32_t reduced_rows = 0;
  PythonProgress progress;
};

py::dict build_index(const py::object& features, const py::object& output_dir, IndexBuildOptions& options) {
  rvc_index_build_config config;
  rvc_index_build_config_init(&config);
  config.name = options.name ? options.name->c_str() : nullptr;
  config.version = options.version ? options.version->c_str() : nullptr;
  config.no_shuffle = options.shuffle ? 0 : 1;
  config.seed = options.seed;
  config.reduce_above_rows = options.reduce_above_rows;
  config.reduced_rows = options.reduced_rows;
  options.progress.attach(config.progress, config.progress_user_data);
  const std::string out = output_dir.is_none() ? std::string() : path_string(output_dir);
  std::optional<rvc::capi::IndexBuildResult> result;
  options.progress.run([&] {
    if (py::isinstance<py::str>(features) || py::hasattr(features, "__fspath__")) {
      const std::string path = path_string(features);
      py::gil_scoped_release release;
      result.emplace(rvc::capi::Index::build(path, out, &config));
    } else {
      const auto matrix = py::cast<FloatArray>(features);
      if (matrix.ndim() != 2) throw py::value_error("Index.build: features must be a [rows, width] array or a path");
      if (out.empty()) throw py::value_error("Index.build: give output_dir when building from an array");
      py::gil_scoped_release release;
      result.emplace(rvc::capi::Index::build(matrix.data(), matrix.shape(0), static_cast<int32_t>(matrix.shape(1)),
                                             out, &config));
    }
  });
  py::dict report;
  report["added_path"] = result->added_path();
  report["trained_path"] = result->trained_path();
  report["input_rows"] = result->input_rows();
  report["num_vectors"] = result->num_vectors();
  report["num_lists"] = result->num_lists();
  report["reduced"] = result->reduced();
  report["seconds"] = result->seconds();
  return report;
}

py::tuple search_index(const rvc::capi::Index& index, const FloatArray& queries, int32_t k) {
  if (queries.ndim() != 2) throw py::value_error("Index.search: queries must be [rows, width]");
  const auto rows = static_cast<py::ssize_t>(queries.shape(0));
  py::array_t<float> distances({rows, static_cast<py::ssize_t>(std::max(k, 0))});
  py::array_t<int64_t> ids({rows, static_cast<py::ssize_t>(std::max(k, 0))});
  call([&] {
    py::gil_scoped_release release;
    index.search(queries.data(), rows, static_cast<int32_t>(queries.shape(1)), k, distances.mutable_data(),
                 ids.mutable_data());
  });
  return py::make_tuple(distances, ids);
}

py::array_t<float> blend_with_index(const rvc::capi::Index& index, const FloatArray& features, float index_rate,
                                    int32_t k) {
  if (features.ndim() < 2 || features.ndim() > 3 || (features.ndim() == 3 && features.shape(0) != 1)) {
    throw py::value_error("Index.blend: features must be [frames, width] or [1, frames, width]");
  }
  const int64_t frames = features.shape(features.ndim() - 2);
  const auto dim = static_cast<int32_t>(features.shape(features.ndim() - 1));
  py::array_t<float> out({static_cast<py::ssize_t>(frames), static_cast<py::ssize_t>(dim)});
  call([&] {
    py::gil_scoped_release release;
    index.blend(features.data(), frames, dim, index_rate, out.mutable_data(), k);
  });
  return out;
}

}  // namespace

// Keyword arguments of Engine.convert/convert_file, as rvc_convert_params plus the strings and the
// Python callback it points to (kept alive for the call).
struct ConvertArguments {
  rvc::capi::ConvertParams params;
  std::string f0_file;
  PythonProgress progress;
};

ConvertArguments convert_arguments(const py::dict& kwargs) {
  ConvertArguments arguments;
  rvc_convert_params& p = arguments.params;
  for (const auto& item : kwargs) {
    const std::string key = py::str(item.first);
    const py::handle value = item.second;
    if (value.is_none() && key != "seed" && key != "f0_file" && key != "progress") continue;
    if (key == "f0_up_key") p.f0_up_key = value.cast<double>();
    else if (key == "f0_method") {
      rvc::capi::check(rvc_f0_method_from_name(value.cast<std::string>().c_str(), &p.f0_method));
    } else if (key == "index_rate") p.index_rate = value.cast<double>();
    else if (key == "filter_radius") p.filter_radius = value.cast<int32_t>();
    else if (key == "rms_mix_rate") p.rms_mix_rate = value.cast<double>();
    else if (key == "protect") p.protect = value.cast<double>();
    else if (key == "resample_sr") p.resample_sr = value.cast<int32_t>();
    else if (key == "speaker_id") p.speaker_id = value.cast<int32_t>();
    else if (key == "f0_file") arguments.f0_file = value.is_none() ? std::string() : path_string(py::reinterpret_borrow<py::object>(value));
    else if (key == "noise_scale") p.noise_scale = value.cast<float>();
    else if (key == "seed") p.seed = value.is_none() ? -1 : value.cast<int64_t>();
    else if (key == "zero_noise") p.zero_noise = value.cast<bool>() ? 1 : 0;
    else if (key == "compat") p.compat = value.cast<int32_t>();
    else if (key == "progress") arguments.progress.callback = py::reinterpret_borrow<py::object>(value);
    else throw py::type_error("Engine.convert: unexpected keyword argument '" + key + "'");
  }
  if (arguments.progress.callback.ptr() == nullptr) arguments.progress.callback = py::none();
  return arguments;
}

// Points the params at the strings and callback they carry (after the struct stopped moving).
void attach(ConvertArguments& arguments) {
  arguments.params.f0_file = arguments.f0_file.empty() ? nullptr : arguments.f0_file.c_str();
  arguments.progress.attach(arguments.params.progress, arguments.params.progress_user_data);
}

py::tuple convert_audio(const rvc::capi::Engine& engine, const FloatArray& audio, int32_t sample_rate,
                        const py::kwargs& kwargs) {
  if (audio.ndim() != 1) throw py::value_error("Engine.convert: audio must be a 1-d array of mono samples");
  ConvertArguments arguments = convert_arguments(kwargs);
  attach(arguments);
  std::vector<float> out = arguments.progress.run([&] {
    py::gil_scoped_release release;
    return engine.convert(audio.data(), audio.shape(0), sample_rate, arguments.params);
  });
  const int32_t rate = engine.output_rate_hz(arguments.params);
  auto* owned = new std::vector<float>(std::move(out));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  py::array_t<float> samples({static_cast<py::ssize_t>(owned->size())}, {static_cast<py::ssize_t>(sizeof(float))},
                             owned->data(), owner);
  return py::make_tuple(samples, rate);
}

py::dict convert_file(const rvc::capi::Engine& engine, const py::object& source, const py::object& target,
                      int32_t encoding, const py::kwargs& kwargs) {
  const std::string input = path_string(source);
  const std::string output = path_string(target);
  ConvertArguments arguments = convert_arguments(kwargs);
  attach(arguments);
  const rvc::capi::ConversionStats stats = arguments.progress.run([&] {
    py::gil_scoped_release release;
    return engine.convert_file(input, output, arguments.params, encoding);
  });
  py::dict report;
  report["num_samples"] = stats.num_samples;
  report["sample_rate"] = stats.sample_rate_hz;
  report["input_seconds"] = stats.input_seconds;
  report["total_ms"] = stats.total_ms;
  report["pitch_ms"] = stats.pitch_ms;
  report["features_ms"] = stats.features_ms;
  report["index_ms"] = stats.index_ms;
  report["synth_ms"] = stats.synth_ms;
  return report;
}

// Runs a model tool without the GIL and turns the JSON it gives into Python objects.
template <typename Tool>
py::object json_result(Tool&& tool) {
  return call([&] {
    std::string json;
    {
      py::gil_scoped_release release;
      json = tool();
    }
    return py::module_::import("json").attr("loads")(json);
  });
}

const char* optional_c_string(const std::optional<std::string>& text) { return text ? text->c_str() : nullptr; }

void bind_model_tools(py::module_& m) {
  m.def(
      "inspect_file",
      [](const py::object& path_like) {
        const std::string path = path_string(path_like);
        std::string summary;
        py::object report = json_result([&] {
          const rvc::capi::FileReport file = rvc::capi::FileReport::inspect(path);
          summary = file.summary();
          return file.json();
        });
        report["summary"] = summary;
        return report;
      },
      py::arg("path"));
  m.def(
      "set_model_info",
      [](const py::object& path, const std::string& info, const py::object& output) {
        const std::string source = path_string(path);
        const std::string target = output.is_none() ? std::string() : path_string(output);
        return json_result([&] { return rvc::capi::set_model_info(source, info, target).json(); });
      },
      py::arg("path"), py::arg("info"), py::arg("output") = py::none());
  m.def(
      "extract_model",
      [](const py::object& checkpoint, const py::object& output, const std::optional<std::string>& sr,
         int32_t f0, const std::optional<std::string>& version, const std::optional<std::string>& info) {
        const std::string source = path_string(checkpoint);
        const std::string target = path_string(output);
        rvc_model_extract_config config;
        rvc_model_extract_config_init(&config);
        config.sample_rate = optional_c_string(sr);
        config.has_pitch = f0;
        config.version = optional_c_string(version);
        config.info = optional_c_string(info);
        return json_result([&] { return rvc::capi::extract_model(source, target, &config).json(); });
      },
      py::arg("checkpoint"), py::arg("output"), py::arg("sr") = py::none(), py::arg("f0") = -1,
      py::arg("version") = py::none(), py::arg("info") = py::none());
  m.def(
      "merge_models",
      [](const py::object& a, const py::object& b, const py::object& output, double alpha,
         const std::optional<std::string>& info, const std::optional<std::string>& sr, int32_t f0,
         const std::optional<std::string>& version) {
        const std::string path_a = path_string(a);
        const std::string path_b = path_string(b);
        const std::string target = path_string(output);
        rvc_model_merge_config config;
        rvc_model_merge_config_init(&config);
        config.alpha = alpha;
        config.info = optional_c_string(info);
        config.sample_rate = optional_c_string(sr);
        config.has_pitch = f0;
        config.version = optional_c_string(version);
        return json_result([&] { return rvc::capi::merge_models(path_a, path_b, target, &config).json(); });
      },
      py::arg("a"), py::arg("b"), py::arg("output"), py::arg("alpha") = 0.5, py::arg("info") = py::none(),
      py::arg("sr") = py::none(), py::arg("f0") = -1, py::arg("version") = py::none());
  m.def(
      "bundle",
      [](const py::object& model, const py::object& output, const py::object& index,
         const std::optional<std::string>& name) {
        const std::string model_path = path_string(model);
        const std::string target = path_string(output);
        const std::string index_path = index.is_none() ? std::string() : path_string(index);
        rvc_bundle_config config;
        rvc_bundle_config_init(&config);
        config.index_path = index_path.empty() ? nullptr : index_path.c_str();
        config.name = optional_c_string(name);
        return json_result([&] { return rvc::capi::create_bundle(model_path, target, &config).json(); });
      },
      py::arg("model"), py::arg("output"), py::arg("index") = py::none(), py::arg("name") = py::none());
  m.def(
      "unbundle",
      [](const py::object& bundle, const py::object& output_dir, bool overwrite) {
        const std::string source = path_string(bundle);
        const std::string folder = output_dir.is_none() ? std::string() : path_string(output_dir);
        std::string model_path, index_path;
        py::object manifest = json_result([&] {
          const auto files = rvc::capi::BundleFiles::unpack(source, folder, overwrite);
          model_path = files.model_path();
          index_path = files.index_path();
          return files.manifest_json();
        });
        py::dict result;
        result["model_path"] = model_path;
        result["index_path"] = index_path.empty() ? py::object(py::none()) : py::object(py::str(index_path));
        result["manifest"] = manifest;
        return result;
      },
      py::arg("bundle"), py::arg("output_dir") = py::none(), py::arg("overwrite") = false);
  m.def(
      "list_models",
      [](const py::object& folder) {
        const std::string path = path_string(folder);
        return json_result([&] { return rvc::capi::ModelList::find(path).json(); });
      },
      py::arg("folder"));
}

PYBIND11_MODULE(_rvc, m) {
  m.doc() = "Native core of the rvc package (binds the rvc C ABI).";
  m.attr("__version__") = rvc::capi::version();

  m.def(
      "load_audio",
      [](const py::object& path_like, int32_t sample_rate_hz) {
        const std::string path = path_string(path_like);
        rvc_audio* handle = nullptr;
        call([&] {
          rvc_status status;
          {
            py::gil_scoped_release release;
            status = rvc_audio_load(path.c_str(), sample_rate_hz, &handle);
          }
          rvc::capi::check(status);
        });
        const int32_t rate = rvc_audio_sample_rate_hz(handle);
        py::array_t<float> samples = audio_array(handle);
        return py::make_tuple(samples, rate);
      },
      py::arg("path"), py::arg("sample_rate_hz") = 0);

  m.def(
      "save_audio",
      [](const py::object& path_like, py::array_t<float, py::array::c_style | py::array::forcecast> samples,
         int32_t sample_rate_hz, int32_t encoding) {
        const std::string path = path_string(path_like);
        if (samples.ndim() != 1) {
          throw py::value_error("save_audio: audio must be a 1-D (mono) array, got " +
                                std::to_string(samples.ndim()) + " dimensions");
        }
        call([&] {
          py::gil_scoped_release release;
          rvc::capi::write_audio(path, samples.data(), samples.shape(0), sample_rate_hz, encoding);
        });
      },
      py::arg("path"), py::arg("audio"), py::arg("sample_rate_hz"), py::arg("encoding") = 0);

  m.def(
      "load_checkpoint",
      [](const py::object& path_like) {
        const std::string path = path_string(path_like);
        return call([&] {
          std::unique_ptr<rvc::capi::Checkpoint> checkpoint;
          {
            py::gil_scoped_release release;
            checkpoint = std::make_unique<rvc::capi::Checkpoint>(rvc::capi::Checkpoint::load(path));
          }
          return to_python(checkpoint->root());
        });
      },
      py::arg("path"));

  m.def(
      "read_model_info",
      [](const py::object& path_like) {
        const std::string path = path_string(path_like);
        return call([&] {
          std::string json;
          {
            py::gil_scoped_release release;
            json = rvc::capi::ModelInfo::load(path).json();
          }
          return py::module_::import("json").attr("loads")(json);
        });
      },
      py::arg("path"));

  bind_model_tools(m);

  py::class_<rvc::capi::Synthesizer>(m, "Synthesizer")
      .def(py::init([](const py::object& path_like, const std::string& device, int32_t precision) {
             const std::string path = path_string(path_like);
             return call([&] {
               py::gil_scoped_release release;
               return std::make_unique<rvc::capi::Synthesizer>(path, device, precision);
             });
           }),
           py::arg("path"), py::arg("device") = "cpu", py::arg("precision") = 0)
      .def_property_readonly("sample_rate", &rvc::capi::Synthesizer::sample_rate_hz)
      .def_property_readonly("hop_samples", &rvc::capi::Synthesizer::hop_samples)
      .def_property_readonly("feature_dim", &rvc::capi::Synthesizer::feature_dim)
      .def_property_readonly("has_pitch", &rvc::capi::Synthesizer::has_pitch)
      .def_property_readonly("num_speakers", &rvc::capi::Synthesizer::num_speakers)
      .def("infer", &synthesize, py::arg("features"), py::arg("pitch") = py::none(), py::arg("pitchf") = py::none(),
           py::arg("speaker_id") = 0, py::arg("noise_scale") = 0.66666f, py::arg("seed") = py::none(),
           py::arg("zero_noise") = false, py::arg("skip_head") = 0, py::arg("return_length") = py::none(),
           py::arg("return_length2") = py::none());

  py::class_<rvc::capi::ContentEncoder>(m, "ContentEncoder")
      .def(py::init([](const py::object& path_like, const std::string& device, int32_t precision) {
             const std::string path = path_string(path_like);
             return call([&] {
               py::gil_scoped_release release;
               return std::make_unique<rvc::capi::ContentEncoder>(path, device, precision);
             });
           }),
           py::arg("path"), py::arg("device") = "cpu", py::arg("precision") = 0)
      .def("feature_dim", &rvc::capi::ContentEncoder::feature_dim, py::arg("version") = "v2")
      .def("extract", &extract_features, py::arg("audio"), py::arg("version") = "v2", py::arg("sample_rate") = 16000);

  py::class_<rvc::capi::F0Estimator>(m, "F0Estimator")
      .def(py::init([](const std::string& method, const py::object& model, const std::string& device,
                       int32_t precision, double voicing_threshold) {
             const std::string path = model.is_none() ? std::string() : path_string(model);
             return call([&] {
               py::gil_scoped_release release;
               return std::make_unique<rvc::capi::F0Estimator>(method, path, device, precision, voicing_threshold);
             });
           }),
           py::arg("method"), py::arg("model") = py::none(), py::arg("device") = "cpu", py::arg("precision") = 0,
           py::arg("voicing_threshold") = -1.0)
      .def("estimate", &estimate_f0, py::arg("audio"), py::arg("sample_rate") = 16000);

  py::class_<rvc::capi::Index>(m, "Index")
      .def(py::init([](const py::object& path_like, int32_t expected_dim, int32_t nprobe) {
             const std::string path = path_string(path_like);
             return call([&] {
               py::gil_scoped_release release;
               return std::make_unique<rvc::capi::Index>(path, expected_dim, nprobe);
             });
           }),
           py::arg("path"), py::arg("expected_dim") = 0, py::arg("nprobe") = 0)
      .def_property_readonly("dim", &rvc::capi::Index::dim)
      .def_property_readonly("ntotal", &rvc::capi::Index::num_vectors)
      .def_property_readonly("nlist", &rvc::capi::Index::num_lists)
      .def_property_readonly("nprobe", &rvc::capi::Index::nprobe)
      .def_property_readonly("description", &rvc::capi::Index::description)
      .def_property_readonly("vectors",
                             [](const py::object& self) {
                               const auto& index = self.cast<const rvc::capi::Index&>();
                               const auto dim = static_cast<py::ssize_t>(index.dim());
                               py::array_t<float> vectors(
                                   {static_cast<py::ssize_t>(index.num_vectors()), dim},
                                   {dim * static_cast<py::ssize_t>(sizeof(float)), static_cast<py::ssize_t>(sizeof(float))},
                                   index.vectors(), self);
                               py::detail::array_proxy(vectors.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
                               return vectors;
                             })
      .def("search", &search_index, py::arg("queries"), py::arg("k") = 8)
      .def("blend", &blend_with_index, py::arg("features"), py::arg("index_rate") = 0.75f, py::arg("k") = 8);

  m.def(
      "build_index",
      [](const py::object& features, const py::object& output_dir, std::optional<std::string> name,
         std::optional<std::string> version, bool shuffle, int64_t seed, int64_t reduce_above_rows,
         int32_t reduced_rows, const py::object& progress) {
        IndexBuildOptions options{std::move(name), std::move(version), shuffle, seed, reduce_above_rows,
                                  reduced_rows, PythonProgress{progress, std::nullopt}};
        return build_index(features, output_dir, options);
      },
      py::arg("features"), py::arg("output_dir") = py::none(), py::arg("name") = py::none(),
      py::arg("version") = py::none(), py::arg("shuffle") = true, py::arg("seed") = 0,
      py::arg("reduce_above_rows") = 0, py::arg("reduced_rows") = 0, py::arg("progress") = py::none());


  py::class_<rvc::capi::Engine>(m, "Engine")
      .def(py::init([](const py::object& model, const py::object& index, const py::object& hubert,
                       const py::object& rmvpe, const py::object& fcpe, const py::object& assets,
                       const std::string& device, int32_t precision, int32_t chunking, int32_t threads,
                       bool bundled_index) {
             auto optional_path = [](const py::object& path) { return path.is_none() ? std::string() : path_string(path); };
             const std::string model_path = path_string(model);
             const std::string index_path = optional_path(index);
             const std::string hubert_path = optional_path(hubert);
             const std::string rmvpe_path = optional_path(rmvpe);
             const std::string fcpe_path = optional_path(fcpe);
             const std::string assets_dir = optional_path(assets);
             rvc_engine_config config;
             rvc_engine_config_init(&config);
             auto or_null = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
             config.model_path = model_path.c_str();
             config.index_path = or_null(index_path);
             config.hubert_path = or_null(hubert_path);
             config.rmvpe_path = or_null(rmvpe_path);
             config.fcpe_path = or_null(fcpe_path);
             config.assets_dir = or_null(assets_dir);
             config.device = device.c_str();
             config.precision = precision;
             config.chunking = chunking;
             config.num_threads = threads;
             config.no_bundled_index = bundled_index ? 0 : 1;
             return call([&] {
               py::gil_scoped_release release;
               return std::make_unique<rvc::capi::Engine>(config);
             });
           }),
           py::arg("model"), py::arg("index") = py::none(), py::arg("hubert") = py::none(),
           py::arg("rmvpe") = py::none(), py::arg("fcpe") = py::none(), py::arg("assets") = py::none(),
           py::arg("device") = "cpu", py::arg("precision") = 0, py::arg("chunking") = 0, py::arg("threads") = 0,
           py::arg("bundled_index") = true)
      .def_property_readonly("sample_rate", &rvc::capi::Engine::sample_rate_hz)
      .def_property_readonly("has_pitch", &rvc::capi::Engine::has_pitch)
      .def_property_readonly("num_speakers", &rvc::capi::Engine::num_speakers)
      .def_property_readonly("description", &rvc::capi::Engine::description)
      .def("convert", &convert_audio, py::arg("audio"), py::arg("sample_rate"))
      .def("convert_file", &convert_file, py::arg("source"), py::arg("target"), py::arg("encoding") = 0);
}
