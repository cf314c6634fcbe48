# Sourced by each CI step: headless SDL and Qt, the extras the tests use, and Tiled and Xvfb
# when the machine can install them.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy QT_QPA_PLATFORM=offscreen
# The scale extra (Dask, pyarrow) lets the sweep's cluster tests run instead of skipping; the
# ai extra (Gymnasium, PettingZoo) the environments' tests.
export EXTRAS=dev,scale,ai

# Tiled's command-line tools let the tests check that Tiled can re-write our maps; Xvfb runs
# the Tiled editor itself with Rex's extension (tests/test_tiled_extension.py).
need=()
command -v tiled >/dev/null 2>&1 || need+=(tiled)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; } \
    || echo "note: could not install ${need[*]}; the tests that need them will be skipped"
fi
