-- Cashiers looking members up: GET /members/lookup/?q=CARD in a signed-in cashier session.
--
-- wrk ... -s bench/load/lookup.lua URL -- QUERIES_FILE SESSION_COOKIE [THINK_MS]
-- QUERIES_FILE has one query (card number, phone or name) per line, URL-encoded.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local queries, headers
local next_query = 0

setup = common.setup
response = common.response

function init(args)
  queries = common.lines(args[1])
  headers = {["Cookie"] = "sessionid=" .. assert(args[2], "usage: -- QUERIES_FILE SESSION_COOKIE")}
  common.think(tonumber(args[3] or "0"))
  next_query = math.floor(#queries * ((thread_number or 1) - 1) / 8)
end

function request()
  next_query = next_query % #queries + 1
  return wrk.format("GET", "/members/lookup/?q=" .. queries[next_query], headers)
end

delay = common.delay

function done(summary, latency, requests)
  common.done("lookup", summary, latency)
end
