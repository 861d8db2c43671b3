-- Tills checking out: POST /api/pos/checkout with prepared bodies, each sent once.
--
-- wrk ... -s bench/load/checkout.lua URL -- BODIES_FILE RUN_ID [THINK_MS]
-- BODIES_FILE has one "TOKEN<TAB>JSON" line per checkout; the JSON holds "__TX__" where
-- the transaction id goes. Each request gets the id RUN_ID-<thread>-<n>, so every request
-- is a new transaction (no replay), and threads start at different bodies.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local bodies, run_id
local next_body, sent = 0, 0

setup = common.setup
response = common.response

function init(args)
  run_id = assert(args[2], "usage: -- BODIES_FILE RUN_ID [THINK_MS]")
  common.think(tonumber(args[3] or "0"))
  bodies = {}
  for _, line in ipairs(common.lines(args[1])) do
    local token, json = line:match("^([^\t]+)\t(.*)$")
    local before, after = json:match("^(.-)__TX__(.*)$")
    bodies[#bodies + 1] = {
      headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
      before = before, after = after,
    }
  end
  -- Spread the threads over the file: thread k starts k/(threads) of the way in.
  next_body = math.floor(#bodies * ((thread_number or 1) - 1) / 8)
end

function request()
  next_body = next_body % #bodies + 1
  sent = sent + 1
  local b = bodies[next_body]
  local tx = run_id .. "-" .. (thread_number or 1) .. "-" .. sent
  return wrk.format("POST", "/api/pos/checkout", b.headers, b.before .. tx .. b.after)
end

delay = common.delay

function done(summary, latency, requests)
  common.done("checkout", summary, latency)
end
