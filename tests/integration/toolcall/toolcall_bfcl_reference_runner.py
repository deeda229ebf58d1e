"""Runs BFCL's own checker (inside the bfcl-eval venv) over cases given on stdin as JSON.

Input: a list of {"key", "category", "function", "ground_truth" | null, "model_result"} where
model_result is what BFCL's OpenAI FC handler stores: a list of {name: arguments_string}, or
the message text when there were no tool calls. Output: {key: {"valid", "error_type"}}.

Only the glue is written here, transcribed from bfcl_eval 2026.3.23: the FC branch of
`OpenAICompletionsHandler.decode_ast` and the bodies of `_evaluate_single_relevance_entry` /
`_evaluate_single_ast_entry` (their module pulls in numpy, pandas and every SDK). The decisions
come from BFCL's own `ast_checker`, `is_empty_output` and `is_function_calling_format_output`.
"""

import json
import sys
import types
from dataclasses import dataclass

MODEL_NAME = "benchstudio-fc-model"


@dataclass
class _ModelConfig:
    underscore_to_dot: bool


# `model_config` imports every provider SDK; the checker only reads `underscore_to_dot`.
_stub = types.ModuleType("bfcl_eval.constants.model_config")
_stub.MODEL_CONFIG_MAPPING = {MODEL_NAME: _ModelConfig(underscore_to_dot=True)}
sys.modules["bfcl_eval.constants.model_config"] = _stub

from bfcl_eval.constants.enums import Language  # noqa: E402
from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker  # noqa: E402
from bfcl_eval.utils import is_empty_output, is_function_calling_format_output  # noqa: E402


def decode_fc(result):
    decoded_output = []
    for invoked_function in result:
        name = list(invoked_function.keys())[0]  # noqa: RUF015 (verbatim from BFCL)
        params = json.loads(invoked_function[name])
        decoded_output.append({name: params})
    return decoded_output


def relevance_verdict(item):
    try:
        decoded = decode_fc(item["model_result"])
        contain_func_call = not is_empty_output(decoded)
    except Exception:
        contain_func_call = False
    if "irrelevance" in item["category"]:
        return {"valid": not contain_func_call, "error_type": "irrelevance"}
    return {"valid": contain_func_call, "error_type": "relevance"}


def ast_verdict(item):
    try:
        decoded = decode_fc(item["model_result"])
    except Exception:
        return {"valid": False, "error_type": "ast_decoder:decoder_failed"}
    if not is_function_calling_format_output(decoded):
        return {"valid": False, "error_type": "ast_decoder:decoder_wrong_output_format"}
    result = ast_checker(
        item["function"],
        decoded,
        item["ground_truth"],
        Language.PYTHON,
        item["category"],
        MODEL_NAME,
    )
    return {"valid": bool(result["valid"]), "error_type": result.get("error_type", "")}


def main():
    items = json.load(sys.stdin)
    verdicts = {}
    for item in items:
        try:
            if item["ground_truth"] is None:
                verdicts[item["key"]] = relevance_verdict(item)
            else:
                verdicts[item["key"]] = ast_verdict(item)
        except Exception as error:  # BFCL itself crashes on a few malformed inputs
            verdicts[item["key"]] = {"valid": None, "error_type": f"crash:{type(error).__name__}"}
    json.dump(verdicts, sys.stdout)


if __name__ == "__main__":
    main()
