"""``modelgate import mlflow``: MLflow ``MLmodel`` files into a Model and its input and output Contracts.

Pure: the shell hands over the files' bytes. An ``MLmodel`` file is read as YAML by the bounded reader (depth,
values and aliases limited, duplicate keys refused) and the signature's ``inputs``, ``outputs`` and ``params``,
which MLflow writes as JSON text inside the YAML, as bounded JSON; MLflow itself is never imported.

Each file becomes one Model, named after the directory holding it, that consumes ``<name>-input`` version 1 and
provides ``<name>-output`` version 1; each contract's schema is a JSON Schema (2020-12) of one record:

- a column-based signature: an object with a property per column (unnamed columns: an array, one item per
  position); a column MLflow calls optional (``required: false``) is left out of ``required`` and may be ``null``;
  nested ``array``/``object``/``map`` and ``any`` follow MLflow's own schema enforcement (an ``object`` admits no
  other property, a ``map`` any string key);
- a tensor-based signature: a leading ``-1`` is the batch dimension and a record is one element of the batch;
  every other dimension is an array with its fixed size as ``minItems``/``maxItems`` (``-1``: any size); named
  tensors are the properties of an object, a single unnamed tensor is the record itself;
- an input contract is ``backward`` compatible (the model reads it: a new signature must take every record the old
  one took), an output contract ``forward`` (its consumers read it: they must take what the new one produces);
- ``params`` (inference parameters, passed beside the records, not in them) are kept on the input schema as the
  annotation ``x-mlflow-params`` and named in the contract's description.

MLflow's type stays beside each JSON type as ``x-mlflow-type`` (tensors: ``x-mlflow-dtype``, ``x-mlflow-shape``).
docs/importing.md (section MLflow) is the user's description of this mapping.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Sequence
from typing import Any, Final

from bot.compat.refs import escape
from bot.imports.model import Generated, ImportContext, Imported, Notice, SourceFile, SourceInvalid, manifest_name
from bot.manifests.models import API_VERSION, NAME_RE, SEMVER_RE
from bot.manifests.parse import read_json
from bot.manifests.yamlread import YamlError, decode, read_yaml

TOOL: Final = "mlflow"
LABELS: Final = {"modelgate.dev/imported-from": TOOL}
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
MAX_YAML_VALUES: Final = 200_000  # an MLmodel file is a few dozen values; its signature is one string each
MAX_JSON_DEPTH: Final = 48  # the schema made of it is one level deeper, and sits 5 deep in a manifest of 64
MAX_TENSOR_RANK: Final = 32
# the specs of one signature part: a wide feature vector has thousands of columns; beyond this the contract's
# manifest would be far over a manifest's size limit (1 MB by default), and the work is bounded here, not later
MAX_SPECS: Final = 50_000
INPUT, OUTPUT = "input", "output"
Say = Callable[..., None]  # notice(message, pointer=None): one Notice about the file being read

INT32: Final = (-(2**31), 2**31 - 1)
INT64: Final = (-(2**63), 2**63 - 1)
# MLflow's column types (mlflow.types.DataType) -> the JSON Schema of one value
COLUMN_TYPES: Final[dict[str, dict[str, Any]]] = {
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer", "minimum": INT32[0], "maximum": INT32[1]},
    "long": {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "string": {"type": "string"},
    "binary": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
}
NESTED_TYPES: Final = ("array", "object", "map", "any", "sparkml_vector")
# numpy dtypes (as MLflow writes them in a tensor-spec) -> the JSON Schema of one element
_INTEGERS: Final = {f"int{bits}": (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) for bits in (8, 16, 32, 64)} | {
    f"uint{bits}": (0, 2**bits - 1) for bits in (8, 16, 32, 64)}
TENSOR_DTYPES: Final[dict[str, dict[str, Any]]] = {
    **{name: {"type": "integer", "minimum": low, "maximum": high} for name, (low, high) in _INTEGERS.items()},
    **{name: {"type": "number"} for name in ("float16", "float32", "float64", "float96", "float128",
                                            "longdouble")},
    "bool": {"type": "boolean"},
    "str": {"type": "string"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "object": {},
}
UNTYPED_DTYPES: Final = ("complex64", "complex128", "complex256", "timedelta64")  # known; no JSON type: a notice


def build(sources: Sequence[SourceFile], context: ImportContext) -> Imported:
    """The manifests of every ``MLmodel`` file in ``sources``: one Model and up to two Contracts each."""
    files: list[Generated] = []
    notices: list[Notice] = []
    names: dict[tuple[str, str], str] = {}  # a generated manifest's (kind, name) -> the source that made it
    for source in sources:
        made, said = _one(source, context)
        for item in made:
            key = (item.document["kind"], item.document["metadata"]["name"])
            if key in names:
                raise SourceInvalid(source.path, f"makes the {key[0].lower()} {key[1]} that {names[key]} makes too: "
                                    "the model is named after its directory, so name the directories apart")
            names[key] = source.path
        files.extend(made)
        notices.extend(said)
    return Imported(TOOL, tuple(sorted(files, key=lambda item: item.path)), tuple(notices))


def _one(source: SourceFile, context: ImportContext) -> tuple[list[Generated], list[Notice]]:
    doc = _read(source)
    where = posixpath.dirname(source.path.replace("\\", "/"))
    name = _model_name(source, where, context)
    notices: list[Notice] = []

    def notice(message: str, pointer: str | None = None) -> None:
        notices.append(Notice(message, source.path, pointer))

    owners = _owners(source, doc, context, notice)
    signature = doc.get("signature")
    if signature is None:
        notice("the model has no signature, so it consumes and provides no contract: log it with one "
               "(mlflow.models.infer_signature, or a type-hinted predict)")
        parts: dict[str, dict[str, Any]] = {}
        params: list[dict[str, Any]] = []
    else:
        if not isinstance(signature, dict):
            raise SourceInvalid(source.path, f"the signature is a {_kind(signature)}, not a mapping", "/signature")
        parts = {}
        for part in (INPUT, OUTPUT):
            specs = _json_list(source, signature, f"{part}s")
            if specs is not None:
                parts[part] = _record(source, specs, f"/signature/{part}s", notice)
        params = _params(source, signature)
        if INPUT not in parts:
            notice("the signature has no inputs, so the model consumes no contract"
                   + ("; its params are not imported" if params else ""), "/signature/inputs")
        if OUTPUT not in parts:
            notice("the signature has no outputs, so the model provides no contract: log the model with "
                   "its output schema to have its consumers checked", "/signature/outputs")
    base = name[:63 - len("-output")].rstrip("-") or name
    made: list[Generated] = []
    origin = f"MLmodel:{where or name}"
    for part, schema in parts.items():
        contract = f"{base}-{part}"
        if part == INPUT and params:
            schema["x-mlflow-params"] = params
        made.append(Generated(f"contracts/{contract}.yaml",
                              _contract(contract, part, owners, _contract_description(name, part, params), schema),
                              origin))
        if part == INPUT:
            notice(f"no model provides {contract}: MG005 warns until the model making these records lists "
                   f"`provides: [{{contract: {contract}, version: 1}}]`", "/signature/inputs")
    spec: dict[str, Any] = {"version": _version(doc, notice)}
    if INPUT in parts:
        spec["consumes"] = [{"contract": f"{base}-{INPUT}", "version": 1}]
    if OUTPUT in parts:
        spec["provides"] = [{"contract": f"{base}-{OUTPUT}", "version": 1}]
    made.append(Generated(f"models/{name}.yaml", _manifest("Model", name, owners, _description(name, doc), spec),
                          origin))
    return made, notices


def _read(source: SourceFile) -> dict[str, Any]:
    """The MLmodel document: a YAML mapping, read within bounds."""
    try:
        doc, _ = read_yaml(decode(source.data), max_nodes=MAX_YAML_VALUES)
    except YamlError as exc:
        at = f" (line {exc.line})" if exc.line is not None else ""
        raise SourceInvalid(source.path, f"not a readable MLmodel file: {exc.message}{at}") from exc
    if not isinstance(doc, dict):
        raise SourceInvalid(source.path, f"an MLmodel file is a YAML mapping; this one is {_kind(doc, article=True)}")
    return doc


def _model_name(source: SourceFile, where: str, context: ImportContext) -> str:
    """The Model's name: the directory holding the MLmodel file (or the import's base directory), normalised."""
    directory = posixpath.basename(posixpath.normpath(where)) if where else ""
    if directory in ("", ".", "..", "/"):
        directory = posixpath.basename(context.base_dir.rstrip("/"))
    name = manifest_name(directory)
    if not name:
        raise SourceInvalid(source.path, "cannot name the model: the model is named after the directory holding "
                            f"its MLmodel file, and {directory!r} leaves no letter or digit; rename the directory")
    assert NAME_RE.match(name)
    return name


def _owners(source: SourceFile, doc: dict[str, Any], context: ImportContext,
            notice: Say) -> list[str]:
    """GitHub handles from the MLmodel's ``metadata`` (``owners``, ``owner``, ``github``), else CODEOWNERS of the
    MLmodel file, else none (a notice)."""
    metadata = doc.get("metadata")
    found: list[str] = []
    if isinstance(metadata, dict):
        for key in ("owners", "owner", "github"):
            value = metadata.get(key)
            values = value if isinstance(value, list) else [value] if value is not None else []
            for item in values:
                if isinstance(item, str) and item.startswith("@"):
                    found.append(item)
                else:
                    notice(f"{item!r} is not a GitHub handle (@user or @org/team), so it is not an owner",
                           f"/metadata/{key}")
    if found:
        return list(dict.fromkeys(found))
    path = source.path.replace("\\", "/")
    if not path.startswith("/"):
        path = posixpath.normpath(posixpath.join(context.base_dir, path))
        if not path.startswith("../"):
            found = list(context.owners_for(path))
    if not found:
        notice("no owner: neither `metadata.owners` in the MLmodel file nor a CODEOWNERS rule names one; add "
               "owners in the overlay (MG007 until then)")
    return found


def _version(doc: dict[str, Any], notice: Say) -> str:
    """The Model's semantic version: ``metadata.version`` when it is one (a whole number N, as the model
    registry counts, is ``N.0.0``), else 1.0.0."""
    metadata = doc.get("metadata")
    value = metadata.get("version") if isinstance(metadata, dict) else None
    if value is None:
        return "1.0.0"
    if isinstance(value, str) and value.isascii() and value.isdigit():  # ModelVersion.version is a string
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return f"{value}.0.0"
    if isinstance(value, str) and SEMVER_RE.match(value):
        return value
    notice(f"metadata.version {value!r} is neither a semantic version (2.1.0) nor a whole number (7, as the model "
           "registry counts): the Model's spec.version is 1.0.0; log a version that is one, or set spec.version "
           "in the overlay", "/metadata/version")
    return "1.0.0"


def _description(name: str, doc: dict[str, Any]) -> str:
    flavors = doc.get("flavors")
    kinds = ", ".join(sorted(str(key) for key in flavors)) if isinstance(flavors, dict) and flavors else ""
    artifact = doc.get("artifact_path")
    said = f"MLflow model {name}"
    if kinds:
        said += f" (flavors: {kinds})"
    if isinstance(artifact, str) and artifact:
        said += f", logged at artifact path {artifact}"
    return said + "."


def _contract_description(name: str, part: str, params: list[dict[str, Any]]) -> str:
    said = f"One record of the {part} of the MLflow model {name}, from its signature."
    if part == INPUT and params:
        listed = ", ".join(f"{p['name']} ({p.get('type', p.get('dtype'))}, default {json.dumps(p.get('default'))})"
                           for p in params)
        said += f" Inference parameters, passed beside the records (x-mlflow-params): {listed}."
    return said


def _manifest(kind: str, name: str, owners: list[str], description: str, spec: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if owners:
        metadata["owners"] = list(owners)
    metadata["description"] = description
    metadata["labels"] = dict(LABELS)
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _contract(name: str, part: str, owners: list[str], description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An input contract is ``backward``: its reader is the model, so a new signature must accept every record
    the old one did (a new required column breaks); an output contract is ``forward``: its readers are the
    consumers, so they must accept what the new signature produces (a removed column breaks)."""
    compatibility = "backward" if part == INPUT else "forward"
    return _manifest("Contract", name, owners, description,
                     {"compatibility": compatibility, "versions": [{"version": 1, "schema": schema}]})


# --- the signature ----------------------------------------------------------------------------------------------


def _json_list(source: SourceFile, signature: dict[str, Any], key: str) -> list[Any] | None:
    """``signature[key]``: JSON text (as MLflow writes it) or already a list; None when absent or null."""
    value = signature.get(key)
    pointer = f"/signature/{key}"
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = read_json(value, MAX_JSON_DEPTH)
        except json.JSONDecodeError as exc:
            raise SourceInvalid(source.path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} "
                                "of the string", pointer) from exc
        except ValueError as exc:
            raise SourceInvalid(source.path, f"not readable JSON: {exc}", pointer) from exc
        if value is None:
            return None
    if not isinstance(value, list):
        raise SourceInvalid(source.path, f"a signature's {key} is a JSON list, not {_kind(value, article=True)}",
                            pointer)
    if len(value) > MAX_SPECS:
        raise SourceInvalid(source.path, f"a signature's {key} has {len(value):,} column or tensor specs, more than "
                            f"modelgate imports ({MAX_SPECS:,})", pointer)
    return value


def _record(source: SourceFile, specs: list[Any], pointer: str, notice: Say) -> dict[str, Any]:
    """The JSON Schema of one record of a signature part: ``specs`` is its list of column or tensor specs."""
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict):
            raise SourceInvalid(source.path, f"a column or tensor spec is a mapping, not {_kind(spec, article=True)}",
                                f"{pointer}/{index}")
    tensors = [spec.get("type") == "tensor" for spec in specs]
    if any(tensors) and not all(tensors):
        at = tensors.index(not tensors[0])
        raise SourceInvalid(source.path, "a signature mixes tensor and column specs (MLflow refuses it)",
                            f"{pointer}/{at}")
    names = [spec.get("name") for spec in specs]
    seen: set[str] = set()  # a set, not names.index: linear in the number of columns, however many there are
    for index, item in enumerate(names):
        if item is not None and not isinstance(item, str):
            raise SourceInvalid(source.path, f"a name is a string, not {_kind(item, article=True)}",
                                f"{pointer}/{index}/name")
        if item is not None and item in seen:
            raise SourceInvalid(source.path, f"the name {item!r} is given twice", f"{pointer}/{index}/name")
        if item is not None:
            seen.add(item)
    named = [item is not None for item in names]
    if specs and any(named) and not all(named):
        raise SourceInvalid(source.path, "a signature mixes named and unnamed specs (MLflow refuses it)",
                            f"{pointer}/{named.index(not named[0])}")
    if specs and all(tensors):
        root = _tensors(source, specs, pointer, notice)
    else:
        root = _columns(source, specs, pointer, named=all(named))
    return {"$schema": DRAFT, **root}


def _columns(source: SourceFile, specs: list[dict[str, Any]], pointer: str, *, named: bool) -> dict[str, Any]:
    """Columns: an object with a property per named column, or an array with an item per unnamed position."""
    made = [_column(source, spec, f"{pointer}/{index}") for index, spec in enumerate(specs)]
    needed = [_required(source, spec, f"{pointer}/{index}") for index, spec in enumerate(specs)]
    kept = [schema if need else _nullable(schema) for schema, need in zip(made, needed, strict=True)]
    if named:
        schema: dict[str, Any] = {"type": "object", "properties": {
            spec["name"]: item for spec, item in zip(specs, kept, strict=True)}}
        required = [spec["name"] for spec, need in zip(specs, needed, strict=True) if need]
        if required:
            schema["required"] = required
        return schema  # other columns are ignored by MLflow, so they are allowed (adding an output is compatible)
    last = max((index + 1 for index, need in enumerate(needed) if need), default=0)
    return {"type": "array", "prefixItems": kept, "items": False, "minItems": last,
            "x-mlflow-columns": "unnamed"}


def _required(source: SourceFile, spec: dict[str, Any], pointer: str) -> bool:
    value = spec.get("required", True)  # an older MLflow wrote no `required`; MLflow reads that as required
    if not isinstance(value, bool):
        raise SourceInvalid(source.path, f"`required` is true or false, not {value!r}", f"{pointer}/required")
    return value


def _column(source: SourceFile, spec: dict[str, Any], pointer: str) -> dict[str, Any]:
    """One MLflow type (a column, an array's items, an object's property, a map's values) as a JSON Schema."""
    kind = spec.get("type")
    if kind is None:
        raise SourceInvalid(source.path, "the spec has no `type`", pointer)
    if not isinstance(kind, str) or (kind not in COLUMN_TYPES and kind not in NESTED_TYPES):
        known = ", ".join([*COLUMN_TYPES, *NESTED_TYPES, "tensor"])
        raise SourceInvalid(source.path, f"unknown MLflow type {kind!r} (known: {known})", f"{pointer}/type")
    if kind in COLUMN_TYPES:
        return {**COLUMN_TYPES[kind], "x-mlflow-type": kind}
    if kind == "any":
        return {"x-mlflow-type": "any"}
    if kind == "sparkml_vector":  # MLflow's SparkMLVector: an Array of double
        return {"type": "array", "items": {"type": "number"}, "x-mlflow-type": kind}
    if kind == "array":
        return {"type": "array", "items": _column(source, _nested(source, spec, "items", pointer),
                                                  f"{pointer}/items"), "x-mlflow-type": "array"}
    if kind == "map":
        return {"type": "object", "additionalProperties": _column(source, _nested(source, spec, "values", pointer),
                                                                  f"{pointer}/values"), "x-mlflow-type": "map"}
    properties = spec.get("properties")
    if not isinstance(properties, dict):
        raise SourceInvalid(source.path, "an object's `properties` is a mapping of name to type, not "
                            f"{_kind(properties, article=True)}", f"{pointer}/properties")
    made: dict[str, Any] = {}
    required: list[str] = []
    for key, value in properties.items():
        at = f"{pointer}/properties/{escape(key)}"
        if not isinstance(value, dict):
            raise SourceInvalid(source.path, f"a property is a mapping, not {_kind(value, article=True)}", at)
        need = _required(source, value, at)
        made[key] = _column(source, value, at) if need else _nullable(_column(source, value, at))
        if need:
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": made}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False  # MLflow refuses a property its Object does not define
    schema["x-mlflow-type"] = "object"
    return schema


def _nested(source: SourceFile, spec: dict[str, Any], key: str, pointer: str) -> dict[str, Any]:
    value = spec.get(key)
    if not isinstance(value, dict):
        raise SourceInvalid(source.path, f"an MLflow {spec['type']}'s `{key}` is a type (a mapping), not "
                            f"{_kind(value, article=True)}", f"{pointer}/{key}")
    return value


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional value: MLflow takes a missing one or ``None`` (null) alike."""
    if "type" not in schema:
        return schema
    return {**schema, "type": [schema["type"], "null"]}


def _tensors(source: SourceFile, specs: list[dict[str, Any]], pointer: str, notice: Say) -> dict[str, Any]:
    """Tensors: one unnamed tensor is the record itself; named tensors are the properties of an object."""
    made = [_tensor(source, spec, f"{pointer}/{index}", notice) for index, spec in enumerate(specs)]
    if len(specs) == 1 and specs[0].get("name") is None:
        return made[0]
    if any(spec.get("name") is None for spec in specs):
        raise SourceInvalid(source.path, "several tensors need a name each (MLflow refuses unnamed ones)", pointer)
    return {"type": "object", "properties": {spec["name"]: item for spec, item in zip(specs, made, strict=True)},
            "required": [spec["name"] for spec in specs]}


def _tensor(source: SourceFile, spec: dict[str, Any], pointer: str, notice: Say) -> dict[str, Any]:
    """One tensor's element of a batch: a leading -1 is the batch; each other dimension an array of its size."""
    tensor = spec.get("tensor-spec")
    at = f"{pointer}/tensor-spec"
    if not isinstance(tensor, dict):
        raise SourceInvalid(source.path, f"a tensor's `tensor-spec` is a mapping, not {_kind(tensor, article=True)}",
                            at)
    dtype, shape = tensor.get("dtype"), tensor.get("shape")
    if not isinstance(shape, list) or not all(
            isinstance(size, int) and not isinstance(size, bool) and size >= -1 for size in shape):
        raise SourceInvalid(source.path, f"a tensor's shape is a list of sizes (-1: any), not {shape!r}"[:200],
                            f"{at}/shape")
    if len(shape) > MAX_TENSOR_RANK:
        raise SourceInvalid(source.path, f"a tensor of {len(shape)} dimensions is more than modelgate reads "
                            f"({MAX_TENSOR_RANK})", f"{at}/shape")
    element = _dtype(source, dtype, f"{at}/dtype", notice)
    dims = shape[1:] if shape and shape[0] == -1 else shape
    schema = element
    for size in reversed(dims):
        schema = {"type": "array", "items": schema}
        if size >= 0:
            schema["minItems"] = schema["maxItems"] = size
    return {**schema, "x-mlflow-type": "tensor", "x-mlflow-dtype": dtype, "x-mlflow-shape": list(shape)}


def _dtype(source: SourceFile, dtype: Any, pointer: str, notice: Say) -> dict[str, Any]:
    if isinstance(dtype, str):
        if dtype in TENSOR_DTYPES:
            if dtype == "object":
                notice("a tensor of dtype object admits any value, so its contract constrains none", pointer)
            return dict(TENSOR_DTYPES[dtype])
        if dtype.startswith("datetime64"):
            return {"type": "string", "format": "date-time"}
        if dtype.split("[", 1)[0] in UNTYPED_DTYPES:
            notice(f"dtype {dtype} has no JSON type, so its contract constrains none of its values", pointer)
            return {}
    known = ", ".join([*TENSOR_DTYPES, "datetime64[unit]", *UNTYPED_DTYPES])
    raise SourceInvalid(source.path, f"unknown tensor dtype {dtype!r} (known: {known})"[:400], pointer)


def _params(source: SourceFile, signature: dict[str, Any]) -> list[dict[str, Any]]:
    """The signature's ParamSchema, checked and kept as MLflow writes it (name, type, default, shape)."""
    specs = _json_list(source, signature, "params") or []
    kept: list[dict[str, Any]] = []
    for index, spec in enumerate(specs):
        at = f"/signature/params/{index}"
        if not isinstance(spec, dict):
            raise SourceInvalid(source.path, f"a param spec is a mapping, not {_kind(spec, article=True)}", at)
        if not isinstance(spec.get("name"), str):
            raise SourceInvalid(source.path, "a param has a name (a string)", f"{at}/name")
        key = "type" if "type" in spec else "dtype"  # an older MLflow wrote `dtype`; MLflow still reads it
        kind = spec.get(key)
        if kind not in COLUMN_TYPES and kind != "object":
            raise SourceInvalid(source.path, f"unknown MLflow param type {kind!r} (known: "
                                f"{', '.join([*COLUMN_TYPES, 'object'])})", f"{at}/{key}")
        if kind == "object":
            _column(source, {**spec, "type": kind}, at)
        kept.append(dict(spec))
    return kept


def _kind(value: Any, *, article: bool = False) -> str:
    name = {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)
    if not article or name == "null":
        return name
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
