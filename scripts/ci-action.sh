#!/usr/bin/env bash
# The steps of the tagc GitHub Action (action.yml), as a script any CI can run; the test
# tests/ci_integration.rs runs it on a local pull request.
#
#   1. install tagc, unless a `tagc` is already on PATH;
#   2. `tagc check --format github CONFIG` (annotations on the configuration's lines);
#   3. on a pull request (or whenever TAGC_BASE is given): fetch the base if it is missing,
#      write `tagc diff --format markdown` to the job summary ($GITHUB_STEP_SUMMARY), then
#      `tagc diff --format github --fail-on FAIL_ON` (annotations, and the exit code).
#
# Environment (the action's inputs; all optional):
#   TAGC_CONFIG     the configuration (default tagc.yaml)
#   TAGC_VERSION    a git ref (tag, branch, commit) of tagc to install from TAGC_SOURCE;
#                   empty: build the tagc beside this script (the action's own checkout)
#   TAGC_SOURCE     the git URL to install from (default https://github.com/$GITHUB_ACTION_REPOSITORY)
#   TAGC_BASE       the revision to compare with (default on pull_request: origin/$GITHUB_BASE_REF)
#   TAGC_FAIL_ON    breaking (default), notable or never: the change that fails the job
#   TAGC_ENV        the environment `tagc diff --env` compares (default: tagc's)
#   TAGC_ALLOW      changes the team means, KIND:SUBJECT, one per line (`tagc diff --allow`)
# and GitHub's own: GITHUB_EVENT_NAME, GITHUB_BASE_REF, GITHUB_STEP_SUMMARY,
# GITHUB_ACTION_REPOSITORY.
#
# Exit code: check's when it fails, else the last diff's (0, 1 a change at or above
# FAIL_ON or an invalid side, 2 a usage or load error).
set -uo pipefail

config=${TAGC_CONFIG:-tagc.yaml}
fail_on=${TAGC_FAIL_ON:-breaking}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

group() { echo "::group::$*"; }
endgroup() { echo "::endgroup::"; }
die() {
  echo "::error title=tagc action::$*"
  exit 2
}

case "$fail_on" in
  breaking | notable | never) ;;
  *) die "fail-on is \`$fail_on\`: breaking, notable or never" ;;
esac

# 1. Install.
if command -v tagc >/dev/null 2>&1; then
  echo "tagc is on PATH ($(command -v tagc)); not installing"
else
  command -v cargo >/dev/null 2>&1 || die "neither tagc nor cargo is on PATH: install the Rust toolchain (dtolnay/rust-toolchain) or tagc first"
  if [ -n "${TAGC_VERSION:-}" ]; then
    source_url=${TAGC_SOURCE:-}
    if [ -z "$source_url" ] && [ -n "${GITHUB_ACTION_REPOSITORY:-}" ]; then
      source_url="https://github.com/${GITHUB_ACTION_REPOSITORY}"
    fi
    [ -n "$source_url" ] || die "version \`$TAGC_VERSION\` given without a source (a git URL)"
    group "cargo install tagc from $source_url at $TAGC_VERSION"
    cargo install --locked --git "$source_url" --rev "$TAGC_VERSION" tagc || die "cargo install failed"
  else
    group "cargo install tagc from $here"
    cargo install --locked --path "$here" || die "cargo install failed"
  fi
  endgroup
fi
tagc --version

# 2. Check.
group "tagc check --format github $config"
tagc check --format github "$config"
status=$?
endgroup
if [ "$status" -ne 0 ]; then
  echo "tagc check failed (exit $status); the annotations above point at each problem"
fi

# 3. Diff, on a pull request or when a base is given.
base=${TAGC_BASE:-}
if [ -z "$base" ] && [ "${GITHUB_EVENT_NAME:-}" = pull_request ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  base="origin/${GITHUB_BASE_REF}"
fi
if [ -z "$base" ]; then
  echo "not a pull request and no base given: no diff"
  exit "$status"
fi

if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  case "$base" in
    origin/*)
      branch=${base#origin/}
      group "git fetch origin $branch"
      git fetch --no-tags --depth=1 origin "+refs/heads/${branch}:refs/remotes/origin/${branch}" ||
        die "cannot fetch the base \`$base\`"
      endgroup
      ;;
    *) die "the base \`$base\` is not a revision of this checkout" ;;
  esac
fi

env_args=()
if [ -n "${TAGC_ENV:-}" ]; then env_args=(--env "$TAGC_ENV"); fi
# TAGC_ALLOW: acknowledged changes, KIND:SUBJECT, one per line (or separated by spaces).
# Split without glob expansion (`*:page/x` is a rule, not a pattern of file names).
if [ -n "${TAGC_ALLOW:-}" ]; then
  read -r -d '' -a allow_rules <<<"$TAGC_ALLOW" || true
  for rule in "${allow_rules[@]}"; do env_args+=(--allow "$rule"); done
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  group "tagc diff --base $base $config --format markdown >> \$GITHUB_STEP_SUMMARY"
  tagc diff --base "$base" "${env_args[@]}" "$config" --format markdown --fail-on never >>"$GITHUB_STEP_SUMMARY"
  summary_status=$?
  endgroup
  if [ "$summary_status" -ge 2 ]; then
    echo "tagc diff could not compare (exit $summary_status)"
    exit "$summary_status"
  fi
fi

group "tagc diff --base $base $config --format github --fail-on $fail_on"
tagc diff --base "$base" "${env_args[@]}" "$config" --format github --fail-on "$fail_on"
diff_status=$?
endgroup

if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$diff_status"
