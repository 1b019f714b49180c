-- POSTs monitoring alerts, rotating among 10 dedup keys (web-00 … web-09), all firing.
-- The token comes from the environment (ALERT_TOKEN), set by bench/alerts.sh.
local token = os.getenv("ALERT_TOKEN")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

request = function()
  n = n + 1
  local key = n % 10
  local body = string.format(
    '{"source":"bench","host":"web-%02d","check":"HTTP 200","severity":"critical",' ..
    '"state":"firing","dedup_key":"web-%02d/http","message":"connection refused"}', key, key)
  return wrk.format(nil, "/api/v1/alerts", nil, body)
end

local non202 = 0
response = function(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end
