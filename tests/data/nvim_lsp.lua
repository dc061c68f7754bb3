-- Headless Neovim as a real LSP client of `promptguard lsp` (driven by
-- tests/lsp_neovim_test.py). Works on Neovim 0.7 (Debian bookworm) and later.
-- Input: $PG_NVIM_CONFIG (JSON: cmd, file, root, result). Output: JSON at `result`.
local cfg = vim.fn.json_decode(vim.env.PG_NVIM_CONFIG)
local out = { steps = {} }

local function diagnostics(buf)
  local got = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(got, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source,
      code = d.code or lsp.code,
    })
  end
  return got
end

local function run()
  vim.lsp.set_log_level("debug")
  out.log_path = vim.lsp.get_log_path()
  vim.cmd("edit " .. vim.fn.fnameescape(cfg.file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "promptguard", cmd = cfg.cmd, root_dir = cfg.root,
    init_options = { debounceMs = 20 },
  })
  assert(client_id, "start_client failed")
  vim.lsp.buf_attach_client(buf, client_id)
  table.insert(out.steps, "attached")

  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
    error("no diagnostics within 30 s")
  end
  out.diagnostics = diagnostics(buf)
  table.insert(out.steps, "diagnostics")

  -- The placeholder fix, chosen the way a user would from the code action menu.
  local first = vim.diagnostic.get(buf)[1]
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  out.titles = {}
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      local action = item[2]
      table.insert(out.titles, action.title)
    end
    for i, item in ipairs(items) do
      if item[2].title:find("Replace with a placeholder", 1, true) == 1 then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  vim.lsp.buf.code_action()
  local function fixed()
    local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
    return text:find("<AWS_ACCESS_KEY_ID_1>", 1, true) ~= nil
  end
  if not vim.wait(30000, fixed, 20) then
    error("the placeholder action was not applied")
  end
  table.insert(out.steps, "applied")
  -- The edit is sent to the server as a change; the rescan clears the error.
  out.cleared = vim.wait(30000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
  out.after = diagnostics(buf)
  out.lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, err = pcall(run)
if not ok then out.error = tostring(err) end
local f = assert(io.open(cfg.result, "w"))
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd("qa!")
