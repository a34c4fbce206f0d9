"""``bot.imports.mlflow``: MLmodel files written by MLflow itself (mlflow-skinny) into a Model and its contracts.

Every MLmodel file here is written by MLflow (``Model(...).save``) once per module; the records that a contract
must accept are the ones MLflow's own schema enforcement accepts (``mlflow.models.utils._enforce_schema``), so the
mapping is held to MLflow's behaviour, not to a reading of its docs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
import yaml
from mlflow.models import Model
from mlflow.models.signature import ModelSignature
from mlflow.models.utils import _enforce_schema
from mlflow.types.schema import (
    AnyType,
    Array,
    ColSpec,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SparkMLVector,
    TensorSpec,
)

from bot.compat.patterns import compile_schema
from bot.imports.mlflow import MAX_JSON_DEPTH, MAX_SPECS, MAX_TENSOR_RANK, build
from bot.imports.model import Generated, ImportContext, Imported, SourceFile, SourceInvalid, manifest_name
from bot.manifests.models import Contract
from bot.manifests.models import Model as ModelManifest
from tests.helpers import json_out, run_cli
from tests.helpers import model as helper_model

OWNERS = {"metadata": {"owners": ["@acme/ml"]}}

CHURN = ModelSignature(
    inputs=Schema([
        ColSpec("double", "tenure"), ColSpec("long", "calls", required=False), ColSpec("integer", "plan"),
        ColSpec("boolean", "active"), ColSpec("float", "spend"), ColSpec("string", "region"),
        ColSpec("binary", "avatar", required=False), ColSpec("datetime", "signed_up", required=False),
    ]),
    outputs=Schema([ColSpec("double", "churn_probability")]),
    params=ParamSchema([ParamSpec("threshold", "double", 0.5), ParamSpec("top_k", "long", [1, 2], (-1,))]),
)
NESTED = ModelSignature(
    inputs=Schema([
        ColSpec(Array("string"), "tags"),
        ColSpec(Object([Property("city", "string"), Property("zip", "long", required=False)]), "address"),
        ColSpec(Map("double"), "scores", required=False),
        ColSpec(Array(Map(Array("long"))), "history"),
        ColSpec(AnyType(), "extra", required=False),
        ColSpec(SparkMLVector(), "features", required=False),
    ]),
    outputs=Schema([ColSpec(Object([Property("label", "string"), Property("confidence", "double")]), "result")]),
)
MNIST = ModelSignature(
    inputs=Schema([TensorSpec(np.dtype("float32"), (-1, 28, 28))]),
    outputs=Schema([TensorSpec(np.dtype("int64"), (-1,))]),
)
VISION = ModelSignature(
    inputs=Schema([TensorSpec(np.dtype("uint8"), (-1, -1, 3), "image"), TensorSpec(np.dtype("int8"), (-1, 2), "box")]),
    outputs=Schema([TensorSpec(np.dtype("float16"), (3,), "logits")]),
)
POSITIONAL = ModelSignature(inputs=Schema([ColSpec("double"), ColSpec("string")]),
                            outputs=Schema([ColSpec("long")]))
INPUTS_ONLY = ModelSignature(inputs=Schema([ColSpec("double", "x")]))


def save(root: Path, directory: str, signature: ModelSignature | None, **fields: Any) -> Path:
    """An MLmodel file written by MLflow in ``root/directory``."""
    folder = root / directory
    folder.mkdir(parents=True)
    model = Model(artifact_path="model", run_id="0123456789abcdef", signature=signature, **fields)
    model.add_flavor("python_function", loader_module="mlflow.sklearn")
    model.add_flavor("sklearn", sklearn_version="1.5.0")
    model.save(str(folder / "MLmodel"))
    return folder / "MLmodel"


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of MLmodel files, one per kind of signature, written once for the module."""
    root = tmp_path_factory.mktemp("mlflow")
    save(root, "Churn_Model", CHURN, **OWNERS)
    save(root, "nested", NESTED, **OWNERS)
    save(root, "mnist", MNIST, **OWNERS)
    save(root, "vision", VISION, **OWNERS)
    save(root, "positional", POSITIONAL, **OWNERS)
    save(root, "inputs-only", INPUTS_ONLY, **OWNERS)
    save(root, "unsigned", None, **OWNERS)
    return root


def source(path: Path, root: Path) -> SourceFile:
    return SourceFile(path.relative_to(root).as_posix(), path.read_bytes())


def imported(zoo: Path, *directories: str, context: ImportContext | None = None) -> Imported:
    names = directories or tuple(sorted(p.name for p in zoo.iterdir()))
    return build([source(zoo / name / "MLmodel", zoo) for name in names], context or ImportContext())


def document(result: Imported, path: str) -> dict[str, Any]:
    found = {item.path: item.document for item in result.files}
    assert path in found, sorted(found)
    return found[path]


def record_schema(result: Imported, contract: str) -> dict[str, Any]:
    """The schema of version 1 of ``contract``: valid JSON Schema, and valid as a Contract manifest."""
    doc = document(result, f"contracts/{contract}.yaml")
    Contract.model_validate(doc)
    schema = doc["spec"]["versions"][0]["schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return schema


def accepts(schema: dict[str, Any], record: Any) -> bool:
    """Whether modelgate's validator (formats asserted, as ``modelgate verify`` does) accepts ``record``."""
    return bool(compile_schema(schema, formats=True).is_valid(record))


def mlflow_accepts(signature_part: Schema, record: Any) -> bool:
    """Whether MLflow's own schema enforcement (as pyfunc.predict runs it) accepts ``record``."""
    try:
        _enforce_schema(record, signature_part)
    except Exception:  # MlflowException and the pandas/numpy errors it lets through alike: MLflow refused it
        return False
    return True


def agree(schema: dict[str, Any], signature_part: Schema, record: Any, *, mlflow_record: Any = None) -> bool:
    """The contract and MLflow judge ``record`` alike (MLflow is given ``mlflow_record`` where its input is a batch
    and a contract's record one element); returns the verdict."""
    given = record if mlflow_record is None else mlflow_record
    verdict = accepts(schema, record)
    assert verdict == mlflow_accepts(signature_part, given), (record, verdict)
    return verdict


# --- columns ------------------------------------------------------------------------------------------------------


def test_columns_become_an_object_record_with_mlflow_types_kept(zoo: Path) -> None:
    result = imported(zoo, "Churn_Model")
    schema = record_schema(result, "churn-model-input")
    assert schema["type"] == "object"
    assert schema["required"] == ["tenure", "plan", "active", "spend", "region"]  # optional columns left out
    props = schema["properties"]
    assert props["tenure"] == {"type": "number", "x-mlflow-type": "double"}
    assert props["plan"] == {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1, "x-mlflow-type": "integer"}
    assert props["calls"]["type"] == ["integer", "null"] and props["calls"]["maximum"] == 2**63 - 1
    assert props["active"]["type"] == "boolean" and props["spend"]["x-mlflow-type"] == "float"
    assert props["avatar"] == {"type": ["string", "null"], "contentEncoding": "base64", "x-mlflow-type": "binary"}
    assert props["signed_up"] == {"type": ["string", "null"], "format": "date-time", "x-mlflow-type": "datetime"}
    assert "additionalProperties" not in schema  # MLflow ignores other columns: adding an output column is compatible
    assert record_schema(result, "churn-model-output")["required"] == ["churn_probability"]


def test_a_column_record_is_judged_as_mlflow_judges_it(zoo: Path) -> None:
    schema = record_schema(imported(zoo, "Churn_Model"), "churn-model-input")
    inputs = CHURN.inputs
    base = {"tenure": 3.5, "active": True, "spend": 1.25, "region": "eu", "plan": 2}

    def judged(record: dict[str, Any]) -> bool:
        """MLflow checks `integer` and `float` by numpy dtype (a Python int is int64 to it): give it those."""
        typed = {key: np.int32(value) if key == "plan" else np.float32(value) if key == "spend" else value
                 for key, value in record.items()}
        return agree(schema, inputs, record, mlflow_record=typed)

    assert judged(base)
    full = {**base, "calls": 7, "avatar": "aGVsbG8=", "signed_up": "2026-01-02T03:04:05Z"}
    assert accepts(schema, full)  # MLflow takes the datetime as one (JSON has none: RFC 3339 text is its form)
    typed = {**full, "plan": np.int32(2), "spend": np.float32(1.25), "signed_up": np.datetime64("2026-01-02T03:04")}
    assert mlflow_accepts(inputs, typed)
    assert not judged({**base, "tenure": "long"})
    assert not judged({key: value for key, value in base.items() if key != "region"})  # a required column missing
    assert not judged({**base, "active": "yes"})
    assert not accepts(schema, {**base, "plan": 2**31})  # outside MLflow's int32
    assert not accepts(schema, {**base, "signed_up": "yesterday"})


def test_params_are_kept_on_the_input_contract_not_as_record_fields(zoo: Path) -> None:
    result = imported(zoo, "Churn_Model")
    schema = record_schema(result, "churn-model-input")
    assert schema["x-mlflow-params"] == [
        {"name": "threshold", "default": 0.5, "shape": None, "type": "double"},
        {"name": "top_k", "default": [1, 2], "shape": [-1], "type": "long"}]
    assert "threshold" not in schema["properties"]
    description = document(result, "contracts/churn-model-input.yaml")["metadata"]["description"]
    assert "threshold (double, default 0.5)" in description and "top_k (long, default [1, 2])" in description


def test_nested_array_object_map_and_any(zoo: Path) -> None:
    result = imported(zoo, "nested")
    schema = record_schema(result, "nested-input")
    props = schema["properties"]
    assert props["tags"] == {"type": "array", "items": {"type": "string", "x-mlflow-type": "string"},
                             "x-mlflow-type": "array"}
    assert props["address"]["additionalProperties"] is False and props["address"]["required"] == ["city"]
    assert props["scores"]["type"] == ["object", "null"]
    assert props["scores"]["additionalProperties"] == {"type": "number", "x-mlflow-type": "double"}
    assert props["history"]["items"]["additionalProperties"]["items"]["x-mlflow-type"] == "long"
    assert props["extra"] == {"x-mlflow-type": "any"}
    assert props["features"] == {"type": ["array", "null"], "items": {"type": "number"},
                                 "x-mlflow-type": "sparkml_vector"}
    assert schema["required"] == ["tags", "address", "history"]
    inputs = NESTED.inputs
    good = {"tags": ["a", "b"], "address": {"city": "Oslo"}, "history": [{"k": [1, 2]}]}
    assert agree(schema, inputs, good)
    assert agree(schema, inputs, {**good, "scores": {"x": 0.5}, "extra": {"any": ["thing"]}})
    assert agree(schema, inputs, {**good, "scores": None})  # an optional map may be null
    assert agree(schema, inputs, {**good, "address": {"city": "Oslo", "zip": 1234}})
    assert accepts(schema, {**good, "features": [0.5, 1]}) and not accepts(schema, {**good, "features": ["a"]})
    assert not agree(schema, inputs, {**good, "address": {"city": "Oslo", "street": "x"}})  # Object is closed
    assert not agree(schema, inputs, {**good, "address": {"zip": 1234}})
    assert not agree(schema, inputs, {**good, "tags": "a"})
    assert not agree(schema, inputs, {**good, "scores": {"x": "high"}})
    output = record_schema(result, "nested-output")["properties"]["result"]
    assert output["required"] == ["confidence", "label"] and output["x-mlflow-type"] == "object"


def test_unnamed_columns_are_positions_of_an_array(zoo: Path) -> None:
    schema = record_schema(imported(zoo, "positional"), "positional-input")
    assert schema["prefixItems"] == [{"type": "number", "x-mlflow-type": "double"},
                                     {"type": "string", "x-mlflow-type": "string"}]
    assert schema["items"] is False and schema["minItems"] == 2
    assert accepts(schema, [1.5, "a"])
    assert not accepts(schema, [1.5]) and not accepts(schema, [1.5, "a", 3]) and not accepts(schema, ["a", 1.5])


# --- tensors ------------------------------------------------------------------------------------------------------


def test_a_leading_minus_one_is_the_batch_and_a_record_one_element(zoo: Path) -> None:
    result = imported(zoo, "mnist")
    schema = record_schema(result, "mnist-input")
    assert schema["type"] == "array" and schema["minItems"] == schema["maxItems"] == 28
    assert schema["items"]["minItems"] == 28 and schema["items"]["items"] == {"type": "number"}
    assert schema["x-mlflow-dtype"] == "float32" and schema["x-mlflow-shape"] == [-1, 28, 28]
    image = np.zeros((28, 28), dtype="float32")
    assert agree(schema, MNIST.inputs, image.tolist(), mlflow_record=image[np.newaxis])
    short = np.zeros((27, 28), dtype="float32")
    assert not agree(schema, MNIST.inputs, short.tolist(), mlflow_record=short[np.newaxis])
    output = record_schema(result, "mnist-output")  # shape [-1]: a record is one number
    assert output == {"$schema": output["$schema"], "type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1,
                      "x-mlflow-type": "tensor", "x-mlflow-dtype": "int64", "x-mlflow-shape": [-1]}


def test_named_tensors_are_properties_with_exact_integer_ranges(zoo: Path) -> None:
    result = imported(zoo, "vision")
    schema = record_schema(result, "vision-input")
    assert schema["required"] == ["image", "box"]
    image = schema["properties"]["image"]
    assert "minItems" not in image  # the second -1: any number of rows
    assert image["items"]["minItems"] == image["items"]["maxItems"] == 3
    assert image["items"]["items"] == {"type": "integer", "minimum": 0, "maximum": 255}
    assert schema["properties"]["box"]["items"] == {"type": "integer", "minimum": -128, "maximum": 127}
    assert accepts(schema, {"image": [[0, 128, 255], [1, 2, 3]], "box": [-128, 127]})
    assert not accepts(schema, {"image": [[0, 128, 256]], "box": [0, 0]})
    assert not accepts(schema, {"image": [[0, 128]], "box": [0, 0]})
    assert not accepts(schema, {"image": [[0, 1, 2]]})
    logits = record_schema(result, "vision-output")["properties"]["logits"]  # no batch dimension: the whole tensor
    assert logits["minItems"] == logits["maxItems"] == 3 and logits["items"] == {"type": "number"}


# --- the Model and notices ----------------------------------------------------------------------------------------


def test_the_model_consumes_its_input_and_provides_its_output(zoo: Path) -> None:
    result = imported(zoo, "Churn_Model")
    assert [item.path for item in result.files] == [
        "contracts/churn-model-input.yaml", "contracts/churn-model-output.yaml", "models/churn-model.yaml"]
    doc = document(result, "models/churn-model.yaml")
    ModelManifest.model_validate(doc)
    assert list(doc) == ["apiVersion", "kind", "metadata", "spec"]
    assert doc["metadata"] == {
        "name": "churn-model", "owners": ["@acme/ml"],
        "description": "MLflow model churn-model (flavors: python_function, sklearn), logged at artifact path model.",
        "labels": {"modelgate.dev/imported-from": "mlflow"}}
    assert doc["spec"] == {"version": "1.0.0", "consumes": [{"contract": "churn-model-input", "version": 1}],
                           "provides": [{"contract": "churn-model-output", "version": 1}]}
    assert all(item.origin == "MLmodel:Churn_Model" for item in result.files)
    assert [n.message for n in result.notices] == [
        "no model provides churn-model-input: MG005 warns until the model making these records lists "
        "`provides: [{contract: churn-model-input, version: 1}]`"]


def test_inputs_only_and_no_signature_say_what_is_missing(zoo: Path) -> None:
    result = imported(zoo, "inputs-only", "unsigned")
    paths = [item.path for item in result.files]
    assert paths == ["contracts/inputs-only-input.yaml", "models/inputs-only.yaml", "models/unsigned.yaml"]
    assert "provides" not in document(result, "models/inputs-only.yaml")["spec"]
    assert document(result, "models/unsigned.yaml")["spec"] == {"version": "1.0.0"}
    said = {(n.source, n.pointer, n.message.split(",")[0]) for n in result.notices}
    assert ("inputs-only/MLmodel", "/signature/outputs", "the signature has no outputs") in said
    assert ("unsigned/MLmodel", None, "the model has no signature") in said


def test_owners_from_codeowners_else_a_notice(tmp_path: Path) -> None:
    save(tmp_path, "ranker", INPUTS_ONLY)
    asked: list[str] = []

    def owners_for(path: str) -> tuple[str, ...]:
        asked.append(path)
        return ("@acme/search",)

    result = build([source(tmp_path / "ranker" / "MLmodel", tmp_path)],
                   ImportContext(owners_for=owners_for, base_dir="ml"))
    assert asked == ["ml/ranker/MLmodel"]
    assert document(result, "models/ranker.yaml")["metadata"]["owners"] == ["@acme/search"]
    alone = build([source(tmp_path / "ranker" / "MLmodel", tmp_path)], ImportContext())
    assert "owners" not in document(alone, "models/ranker.yaml")["metadata"]
    assert any(n.message.startswith("no owner:") for n in alone.notices)


def test_a_registry_version_in_metadata_is_the_models_version(tmp_path: Path) -> None:
    save(tmp_path, "a", INPUTS_ONLY, metadata={"version": 7, "owner": "ml-team"})
    save(tmp_path, "b", INPUTS_ONLY, metadata={"version": "2.1.0"})
    save(tmp_path, "c", INPUTS_ONLY, metadata={"version": "v2"})
    save(tmp_path, "d", INPUTS_ONLY, metadata={"version": "7"})  # the registry's ModelVersion.version is a string
    result = build([source(tmp_path / d / "MLmodel", tmp_path) for d in "abcd"], ImportContext())
    assert [document(result, f"models/{d}.yaml")["spec"]["version"] for d in "abcd"] == [
        "7.0.0", "2.1.0", "1.0.0", "7.0.0"]
    said = {(n.source, n.pointer): n.message for n in result.notices}
    assert ("a/MLmodel", "/metadata/owner") in said  # "ml-team" is not a GitHub handle
    assert said[("c/MLmodel", "/metadata/version")].startswith(
        "metadata.version 'v2' is neither a semantic version (2.1.0) nor a whole number (7, as the model registry "
        "counts): the Model's spec.version is 1.0.0")
    assert ("d/MLmodel", "/metadata/version") not in said


@pytest.mark.parametrize(("text", "name"), [("Churn_Model.v2", "churn-model-v2"), ("--x y", "x-y"),
                                            ("ÄB+c", "bc"), ("a" * 80, "a" * 63)])
def test_manifest_names(text: str, name: str) -> None:
    assert manifest_name(text) == name


def test_two_directories_of_one_name_collide(tmp_path: Path) -> None:
    save(tmp_path, "one/churn", INPUTS_ONLY, **OWNERS)
    save(tmp_path, "two/Churn", INPUTS_ONLY, **OWNERS)
    with pytest.raises(SourceInvalid) as caught:
        build([source(tmp_path / d / "MLmodel", tmp_path) for d in ("one/churn", "two/Churn")], ImportContext())
    assert str(caught.value) == ("two/Churn/MLmodel: makes the contract churn-input that one/churn/MLmodel makes "
                                 "too: the model is named after its directory, so name the directories apart")


# --- a directory of models, rendered and linted -------------------------------------------------------------------


def render(files: tuple[Generated, ...], out: Path) -> None:
    for item in files:
        target = out / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(item.document, sort_keys=False))


def test_a_directory_of_models_passes_lint(zoo: Path, tmp_path: Path) -> None:
    result = imported(zoo)
    assert len({item.document["metadata"]["name"] for item in result.files if "models/" in item.path}) == 7
    for item in result.files:
        if item.path.startswith("contracts/"):
            record_schema(result, item.path.removeprefix("contracts/").removesuffix(".yaml"))
    render(result.files, tmp_path)
    done = run_cli("lint", str(tmp_path), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    findings = json_out(done)["findings"]
    # the only findings: nothing in the import provides the models' inputs (each said in a notice)
    assert {f["rule"] for f in findings} == {"MG005"}
    inputs = sorted(item.document["metadata"]["name"] for item in result.files if item.path.endswith("-input.yaml"))
    assert len(findings) == len(inputs) == 6


def json_depth(value: Any) -> int:
    if isinstance(value, dict | list):
        return 1 + max(map(json_depth, value.values() if isinstance(value, dict) else value), default=0)
    return 0


def test_the_deepest_signature_read_still_lints(tmp_path: Path) -> None:
    """MAX_JSON_DEPTH and MAX_TENSOR_RANK keep the schema made inside a manifest's nesting limit; one level more
    is refused, with its pointer."""
    columns: list[Schema] = []
    inner: Any = "long"
    while not columns or json_depth(columns[-1].to_dict()) <= MAX_JSON_DEPTH:
        inner = Object([Property("p", Array(inner))]) if len(columns) % 2 else Map(inner)
        columns.append(Schema([ColSpec(inner, "deep")]))
    deepest, beyond = columns[-2], columns[-1]
    assert json_depth(deepest.to_dict()) >= MAX_JSON_DEPTH - 2
    tensor = Schema([TensorSpec(np.dtype("int16"), (-1,) + (2,) * (MAX_TENSOR_RANK - 1), "t")])
    save(tmp_path / "src", "deep", ModelSignature(inputs=deepest, outputs=tensor), **OWNERS)
    save(tmp_path / "src", "deeper", ModelSignature(inputs=beyond), **OWNERS)
    result = build([source(tmp_path / "src" / "deep" / "MLmodel", tmp_path / "src")], ImportContext())
    record_schema(result, "deep-input")
    record_schema(result, "deep-output")
    render(result.files, tmp_path / "out")
    done = run_cli("lint", str(tmp_path / "out"), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {f["rule"] for f in json_out(done)["findings"]} == {"MG005"}
    with pytest.raises(SourceInvalid) as caught:
        build([source(tmp_path / "src" / "deeper" / "MLmodel", tmp_path / "src")], ImportContext())
    assert caught.value.pointer == "/signature/inputs"
    assert f"nesting deeper than {MAX_JSON_DEPTH} levels" in str(caught.value)


def imported_dir(root: Path, name: str, signature: ModelSignature) -> Path:
    """The manifests of one MLflow-written model, rendered into ``root/out``, beside a hand-written model that
    consumes its output."""
    save(root / "src", name, signature, **OWNERS)
    render(build([source(root / "src" / name / "MLmodel", root / "src")], ImportContext()).files, root / "out")
    (root / "out" / "models" / "retention.yaml").write_text(
        helper_model("retention", consumes=[(f"{name}-output", 1)], owners=["@acme/crm"]))
    return root / "out"


@pytest.mark.parametrize(("inputs", "outputs", "breaking"), [
    ([ColSpec("double", "x"), ColSpec("string", "y", required=False), ColSpec("long", "z")],
     [ColSpec("double", "score")], {"churn-input"}),  # a new required input: the callers' records lack it
    # a new optional input: a caller may send a column of that name already, which the old model ignored
    ([ColSpec("double", "x"), ColSpec("string", "y", required=False), ColSpec("long", "z", required=False)],
     [ColSpec("double", "score")], {"churn-input"}),
    ([ColSpec("double", "x")], [ColSpec("double", "score"), ColSpec("string", "band")], set()),
    # an output retyped double -> long: still JSON numbers, but MLflow's type enforcement rejects long values where
    # a consumer (another MLflow model) declares double (DECLARED_TYPE_CHANGED at x-mlflow-type)
    ([ColSpec("double", "x"), ColSpec("string", "y", required=False)], [ColSpec("long", "score")], {"churn-output"}),
    ([ColSpec("double", "x"), ColSpec("string", "y", required=False)], [ColSpec("string", "score")],
     {"churn-output"}),
    ([ColSpec("double", "x"), ColSpec("string", "y")], [ColSpec("double", "band")], {"churn-input", "churn-output"}),
    ([ColSpec("double", "x"), ColSpec("string", "y", required=False)], [], {"churn-output", "retention"}),
], ids=["required-input-added", "optional-input-added", "optional-input-removed-output-added", "output-narrowed",
        "output-retyped", "input-made-required-output-renamed", "outputs-removed"])
def test_check_breaks_where_callers_or_consumers_would(tmp_path: Path, inputs: list[ColSpec],
                                                       outputs: list[ColSpec], breaking: set[str]) -> None:
    """Base and head imported from two versions of one model: ``modelgate check`` calls breaking what a caller of
    the new model (inputs, backward) or a consumer of its outputs (forward) would fail on, and nothing else."""
    before = ModelSignature(inputs=Schema([ColSpec("double", "x"), ColSpec("string", "y", required=False)]),
                            outputs=Schema([ColSpec("double", "score")]))
    after = ModelSignature(inputs=Schema(inputs), outputs=Schema(outputs) if outputs else None)
    base, head = imported_dir(tmp_path / "base", "churn", before), imported_dir(tmp_path / "head", "churn", after)
    done = run_cli("check", "--base", str(base), "--head", str(head), "--format", "json", "--today", "2026-11-28")
    findings = json_out(done)["findings"]
    errors = {f["subject"].split(":", 1)[-1].split("@")[0] for f in findings if f["severity"] == "error"}
    assert errors == breaking, findings
    assert done.returncode == (1 if breaking else 0), done.stderr


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def churn_text(zoo: Path) -> str:
    return (zoo / "Churn_Model" / "MLmodel").read_text()


def with_inputs(text: str, columns: list[Any]) -> bytes:
    """The MLflow-written MLmodel ``text`` with its signature's inputs replaced by ``columns`` (as JSON text)."""
    doc = yaml.safe_load(text)
    doc["signature"]["inputs"] = json.dumps(columns)
    return yaml.safe_dump(doc).encode()


def failure(data: bytes) -> SourceInvalid:
    with pytest.raises(SourceInvalid) as caught:
        build([SourceFile("models/churn/MLmodel", data)], ImportContext())
    assert str(caught.value).startswith("models/churn/MLmodel")
    assert "\n" not in str(caught.value)
    return caught.value


def churn_columns(text: str) -> list[Any]:
    return list(json.loads(yaml.safe_load(text)["signature"]["inputs"]))


def test_an_unknown_column_type_is_named_with_its_pointer(churn_text: str) -> None:
    columns = churn_columns(churn_text)
    columns[3]["type"] = "decimal"
    error = failure(with_inputs(churn_text, columns))
    assert error.pointer == "/signature/inputs/3/type"
    assert str(error).startswith("models/churn/MLmodel#/signature/inputs/3/type: unknown MLflow type 'decimal'")


def test_an_unknown_nested_type_points_inside_the_column(churn_text: str) -> None:
    columns = churn_columns(churn_text)
    columns[0] = {"type": "array", "items": {"type": "object", "properties": {"a/b": {"type": "uuid"}}},
                  "name": "x", "required": True}
    assert failure(with_inputs(churn_text, columns)).pointer == "/signature/inputs/0/items/properties/a~1b/type"


def test_an_unknown_tensor_dtype_points_at_it(zoo: Path) -> None:
    doc = yaml.safe_load((zoo / "mnist" / "MLmodel").read_text())
    doc["signature"]["outputs"] = doc["signature"]["outputs"].replace("int64", "int128")
    error = failure(yaml.safe_dump(doc).encode())
    assert error.pointer == "/signature/outputs/0/tensor-spec/dtype" and "unknown tensor dtype 'int128'" in str(error)


@pytest.mark.parametrize(("edit", "pointer", "words"), [
    (lambda s: s.replace("signature:\n", "signature: 3\nx:\n", 1), "/signature", "not a mapping"),
    (lambda s: s.replace('inputs: \'[{"type"', 'inputs: \'[{"type":', 1), "/signature/inputs", "not valid JSON"),
    (lambda s: s.replace('outputs: \'[', 'outputs: \'{"a": [', 1).replace(']\'\n  params', ']}\'\n  params', 1),
     "/signature/outputs", "a JSON list, not a mapping"),
    (lambda s: s.replace('"required": true', '"required": "yes"', 1), "/signature/inputs/0/required", "true or false"),
])
def test_a_bad_signature_is_one_line_with_its_pointer(churn_text: str, edit: Any, pointer: str, words: str) -> None:
    changed = edit(churn_text)
    assert changed != churn_text
    error = failure(changed.encode())
    assert error.pointer == pointer and words in error.message


def test_mixed_tensor_and_column_specs_are_refused(churn_text: str) -> None:
    columns = churn_columns(churn_text)[:2]
    columns[1] = {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}, "name": "t"}
    assert failure(with_inputs(churn_text, columns)).pointer == "/signature/inputs/1"


@pytest.mark.parametrize(("columns", "pointer", "words"), [
    ([{"type": "double", "name": "x"}, {"type": "long", "name": "x"}], "/signature/inputs/1/name", "given twice"),
    ([{"type": "double", "name": "x"}, {"type": "long"}], "/signature/inputs/1", "named and unnamed"),
    ([{"type": "double", "name": 3}], "/signature/inputs/0/name", "a string, not a number"),
    (["x"], "/signature/inputs/0", "a mapping, not a string"),
    ([{"name": "x"}], "/signature/inputs/0", "no `type`"),
    ([{"type": "map", "values": "long", "name": "m"}], "/signature/inputs/0/values", "not a string"),
    ([{"type": "object", "properties": [{"name": "a", "type": "long"}], "name": "o"}],
     "/signature/inputs/0/properties", "mapping of name to type"),
    ([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-2]}}],
     "/signature/inputs/0/tensor-spec/shape", "a list of sizes"),
    ([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1] * 33}}],
     "/signature/inputs/0/tensor-spec/shape", "33 dimensions"),
])
def test_a_bad_spec_is_named_with_its_pointer(churn_text: str, columns: list[Any], pointer: str, words: str) -> None:
    error = failure(with_inputs(churn_text, columns))
    assert error.pointer == pointer and words in error.message, str(error)


def test_an_unknown_param_type_points_at_it(churn_text: str) -> None:
    doc = yaml.safe_load(churn_text)
    doc["signature"]["params"] = doc["signature"]["params"].replace('"long"', '"int"')
    error = failure(yaml.safe_dump(doc).encode())
    assert error.pointer == "/signature/params/1/type" and "unknown MLflow param type 'int'" in error.message


@pytest.mark.parametrize(("data", "words"), [
    (b"flavors: [\n", "not a readable MLmodel file: YAML syntax error"),
    (b"- a\n- b\n", "an MLmodel file is a YAML mapping; this one is a list"),
    (b"\xff\xfe", "the file is not UTF-8 text"),
    (b"a: 1\na: 2\n", "duplicate key 'a'"),
    (b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n".encode()
        for i in range(8)), "expands to more than"),
    (b"a: " + b"[" * 100 + b"]" * 100 + b"\n", "nesting deeper than 64 levels"),
])
def test_a_file_that_is_not_an_mlmodel_mapping_is_one_line(data: bytes, words: str) -> None:
    error = failure(data)
    assert error.pointer is None and words in error.message


def test_a_json_bomb_in_the_signature_is_bounded(churn_text: str) -> None:
    doc = yaml.safe_load(churn_text)
    doc["signature"]["inputs"] = "[" * 100_000 + "]" * 100_000
    error = failure(yaml.safe_dump(doc).encode())
    assert error.pointer == "/signature/inputs" and f"nesting deeper than {MAX_JSON_DEPTH} levels" in error.message


def test_a_wide_signature_is_linear_and_bounded(churn_text: str) -> None:
    """Column names are checked for repeats in one pass (a list's ``index`` per column made 300,000 columns run
    for minutes), and a part with more specs than MAX_SPECS is refused before any is read."""
    doc = yaml.safe_load(churn_text)
    wide = [{"type": "long", "name": f"c{i}", "required": True} for i in range(MAX_SPECS)]
    doc["signature"]["inputs"] = json.dumps(wide)
    imported = build([SourceFile("models/churn/MLmodel", yaml.safe_dump(doc).encode())], ImportContext())
    (inputs,) = [g for g in imported.files if g.path == "contracts/churn-input.yaml"]
    assert len(inputs.document["spec"]["versions"][0]["schema"]["properties"]) == MAX_SPECS
    doc["signature"]["inputs"] = json.dumps([*wide, {"type": "long", "name": "one-more"}])
    error = failure(yaml.safe_dump(doc).encode())
    assert error.pointer == "/signature/inputs" and f"more than modelgate imports ({MAX_SPECS:,})" in error.message

