-- Marketing users viewing the dashboard: GET the report pages in a signed-in session.
--
-- wrk ... -s bench/load/dashboard.lua URL -- PATHS_FILE SESSION_COOKIE [THINK_MS]
-- PATHS_FILE has one path (with its filter query) per line.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local paths, headers
local next_path = 0

setup = common.setup
response = common.response

function init(args)
  paths = common.lines(args[1])
  headers = {["Cookie"] = "sessionid=" .. assert(args[2], "usage: -- PATHS_FILE SESSION_COOKIE")}
  common.think(tonumber(args[3] or "0"))
  next_path = (thread_number or 1) - 1
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end

delay = common.delay

function done(summary, latency, requests)
  common.done("dashboard", summary, latency)
end
