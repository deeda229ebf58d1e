"""Prompt library use cases. Other domains (judge, benchruns) use `resolve_prompt` and
`record_use` only; `owns_benchmark_prompt` is what the composition root registers with
catalog as its default-template ownership check."""

from benchstudio.prompts.service.library import (
    add_prompt_version,
    copy_prompt,
    create_prompt,
    delete_prompt,
    diff_versions,
    get_prompt,
    get_version,
    list_prompts,
    owns_benchmark_prompt,
    record_use,
    resolve_prompt,
    update_prompt,
    used_by,
)
from benchstudio.prompts.service.templates import (
    delete_template,
    get_template,
    list_templates,
    save_template,
)

__all__ = [
    "add_prompt_version",
    "copy_prompt",
    "create_prompt",
    "delete_prompt",
    "delete_template",
    "diff_versions",
    "get_prompt",
    "get_template",
    "get_version",
    "list_prompts",
    "list_templates",
    "owns_benchmark_prompt",
    "record_use",
    "resolve_prompt",
    "save_template",
    "update_prompt",
    "used_by",
]
