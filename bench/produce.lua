-- bench/produce.lua -- wrk script for bench/produce: POST /topics/{t} with one body built once
-- per case (not per request), counts responses other than 200 and 200s that carry a per-record
-- error, and prints a machine-readable summary line for bench/produce.
-- Environment: BENCH_RECORDS (records per request, 1), BENCH_SIZE (value bytes as stored in
-- Kafka, 100), BENCH_FORMAT (binary|json|avro, binary), BENCH_CHECK (1: look at each response,
-- 0: do not define response(), so wrk parses less; non-2xx are then only wrk's own count).
-- v3 (one ProduceRequest per request, POST …/records) and v3batch (records:batch of RECORDS
-- entries): BINARY values as binary's.
-- binary: each value is base64 of SIZE fixed pseudo-random bytes; json: each value is a JSON
-- string of SIZE bytes including its quotes ("aaa..."), which krest stores as written; avro:
-- a record whose Avro binary is SIZE bytes, with its schema as value_schema in every request.
-- BENCH_AE: the Accept-Encoding sent ("gzip,deflate" -> "gzip, deflate"; empty or identity:
-- as given). wrk does not decode: a compressed 200 is checked for its status only.

local records = tonumber(os.getenv("BENCH_RECORDS") or "1")
local size = tonumber(os.getenv("BENCH_SIZE") or "100")
local format = os.getenv("BENCH_FORMAT") or "binary"
local check = (os.getenv("BENCH_CHECK") or "1") ~= "0"

local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(bytes)
   local out, n = {}, #bytes
   for i = 1, n, 3 do
      local a, b, c = bytes[i], bytes[i + 1] or 0, bytes[i + 2] or 0
      local v = a * 65536 + b * 256 + c
      local s1 = math.floor(v / 262144) % 64
      local s2 = math.floor(v / 4096) % 64
      local s3 = math.floor(v / 64) % 64
      local s4 = v % 64
      out[#out + 1] = b64:sub(s1 + 1, s1 + 1) .. b64:sub(s2 + 1, s2 + 1)
      out[#out + 1] = (i + 1 <= n) and b64:sub(s3 + 1, s3 + 1) or "="
      out[#out + 1] = (i + 2 <= n) and b64:sub(s4 + 1, s4 + 1) or "="
   end
   return table.concat(out)
end

-- avro: a record {id: long, name: string, payload: string} whose Avro binary is SIZE bytes
-- (id 123456789 takes 4 bytes, "bench" 6, the payload's length 2 bytes below 8 KiB).
local avro_schema = '{\\"type\\":\\"record\\",\\"name\\":\\"Bench\\",\\"fields\\":['
   .. '{\\"name\\":\\"id\\",\\"type\\":\\"long\\"},'
   .. '{\\"name\\":\\"name\\",\\"type\\":\\"string\\"},'
   .. '{\\"name\\":\\"payload\\",\\"type\\":\\"string\\"}]}'

local function value()
   if format == "avro" then
      local n = math.max(size - 12, 1)
      return '{"id":123456789,"name":"bench","payload":"' .. string.rep("a", n) .. '"}'
   end
   if format == "json" then
      return '"' .. string.rep("a", math.max(size - 2, 0)) .. '"'
   end
   local bytes, x = {}, 2463534242
   for i = 1, size do -- a linear congruential sequence (exact in doubles): the same bytes on every run
      x = (x * 69069 + 1) % 4294967296
      bytes[i] = math.floor(x / 16777216)
   end
   return '"' .. base64(bytes) .. '"'
end

local function body()
   if format == "v3" then -- v3 records: one ProduceRequest per request
      return '{"value":{"type":"BINARY","data":' .. value() .. '}}'
   end
   if format == "v3batch" then -- v3 records:batch: RECORDS entries
      local es = {}
      for i = 1, records do
         es[i] = '{"id":"' .. i .. '","value":{"type":"BINARY","data":' .. value() .. '}}'
      end
      return '{"entries":[' .. table.concat(es, ",") .. ']}'
   end
   local rec = '{"value":' .. value() .. '}'
   local parts = {}
   for i = 1, records do
      parts[i] = rec
   end
   local schema = ""
   if format == "avro" then
      schema = '"value_schema":"' .. avro_schema .. '",'
   end
   return '{' .. schema .. '"records":[' .. table.concat(parts, ",") .. ']}'
end

local v3 = format == "v3" or format == "v3batch"
wrk.method = "POST"
wrk.body = body()
if v3 then
   wrk.headers["Content-Type"] = "application/json"
else
   wrk.headers["Content-Type"] = "application/vnd.kafka." .. format .. ".v2+json"
   wrk.headers["Accept"] = "application/vnd.kafka.v2+json"
end
local ae = os.getenv("BENCH_AE") or ""
if ae ~= "" then
   wrk.headers["Accept-Encoding"] = ae:gsub(",", ", ")
end
local want = format == "v3batch" and 207 or 200

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non200 = 0
   rec_errors = 0
   first = ""
end

if check then
   function response(status, headers, body)
      if status ~= want then
         non200 = non200 + 1
         if first == "" then
            first = status .. " " .. string.sub(body or "", 1, 200)
         end
      elseif (v3 and (string.find(body, '"error_code":[^2]') or string.find(body, '"error_code":2[^0]')
         or (format == "v3batch" and not string.find(body, '"failures":%[%]'))))
         or (not v3 and string.find(body, '"error_code":%d')) then
         rec_errors = rec_errors + 1
         if first == "" then
            first = "200 with a record error: " .. string.sub(body, 1, 200)
         end
      end
   end
end

function done(summary, latency, requests)
   local n, r, f = 0, 0, ""
   for _, t in ipairs(threads) do
      n = n + (t:get("non200") or 0)
      r = r + (t:get("rec_errors") or 0)
      local tf = t:get("first") or ""
      if f == "" and tf ~= "" then
         f = tf
      end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d non200=%d rec_errors=%d " ..
      "checked=%d status_errors=%d connect=%d read=%d write=%d timeout=%d body_bytes=%d\n",
      summary.requests, summary.duration, summary.bytes, latency:percentile(50),
      latency:percentile(99), n, r, check and 1 or 0, e.status, e.connect, e.read, e.write,
      e.timeout, #wrk.body))
   if f ~= "" then
      io.write("BENCH_FIRST " .. f:gsub("\n", " ") .. "\n")
   end
end
