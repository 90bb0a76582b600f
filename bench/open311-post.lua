-- wrk script: Open311 POST requests.json, a pothole report at a random point in
-- the demo council's area, with the API key from OPEN311_KEY.
local key = os.getenv("OPEN311_KEY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

request = function()
    local lat = 52.40 + math.random() * 0.06
    local long = -1.62 + math.random() * 0.128
    local body = string.format(
        "api_key=%s&service_code=report-pothole&lat=%.6f&long=%.6f" ..
        "&attribute%%5Bsurface%%5D=road&attribute%%5Bdepth%%5D=%d" ..
        "&description=Deep+pothole+by+the+kerb&email=bench%%40mail.example&first_name=Load&last_name=Test",
        key, lat, long, math.random(1, 30))
    return wrk.format(nil, nil, nil, body)
end
