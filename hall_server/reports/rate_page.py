"""The rate-later page a citizen's phone opens from the QR on a ticket or a notice.

One small self-contained HTML document (inline CSS and script, no external assets: the
hall may have no internet and a phone on 4G should load it in one round trip). The five
levels are big buttons, the reasons optional chips; the page posts JSON to the existing
public endpoint ``POST /api/v1/rate/{token}`` and then shows the server's thank-you text.
Everything the server puts into the page goes through ``html.escape``.
"""
from __future__ import annotations

from html import escape

from ..contract.accountability import RateInfoOut

_CSS = """
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
background:#f3f5f8;color:#1d2733}main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:8px 0}p.sub{color:#5a6572;margin:4px 0 16px}
.lv{display:block;width:100%;font-size:22px;padding:16px;margin:8px 0;border:2px solid #c9d2dc;border-radius:12px;
background:#fff}.lv.on{border-color:#1565c0;background:#e3efff}.lv.bad.on{border-color:#c62828;background:#fdecea}
fieldset{border:0;padding:0;margin:12px 0}legend{font-weight:bold;margin-bottom:6px}
label.r{display:inline-block;margin:4px;padding:8px 12px;border:1px solid #c9d2dc;border-radius:18px;background:#fff}
textarea{width:100%;font-size:16px;padding:8px}#send{width:100%;font-size:22px;padding:14px;margin-top:12px;
border:0;border-radius:12px;background:#1565c0;color:#fff}#send:disabled{background:#9aa7b4}
.msg{font-size:20px;padding:16px;border-radius:12px;background:#fff;margin:16px 0}.err{color:#c62828}
"""

_SCRIPT = """
(function(){var f=document.getElementById('rate');if(!f)return;var lv=null;
var send=document.getElementById('send'),out=document.getElementById('out');
Array.prototype.forEach.call(document.querySelectorAll('.lv'),function(b){b.addEventListener('click',function(){
 Array.prototype.forEach.call(document.querySelectorAll('.lv'),function(x){x.classList.remove('on')});
 b.classList.add('on');lv=b.value;send.disabled=false;});});
var key='rate-'+Date.now()+'-'+Math.random().toString(36).slice(2);
f.addEventListener('submit',function(e){e.preventDefault();if(!lv)return;send.disabled=true;
 var reasons=Array.prototype.map.call(f.querySelectorAll('input[name=reason]:checked'),function(x){return x.value});
 var c=f.querySelector('textarea').value.trim();var body={level:lv,reasons:reasons};if(c)body.comment=c;
 fetch(f.getAttribute('action'),{method:'POST',headers:{'Content-Type':'application/json','Idempotency-Key':key},
  body:JSON.stringify(body)}).then(function(r){return r.json().then(function(j){return [r.ok,j]})})
 .then(function(a){if(a[0]){f.style.display='none';out.className='msg';out.textContent=a[1].message||'感谢您的评价！';}
  else{out.className='msg err';out.textContent=(a[1].error&&a[1].error.message)||'提交失败，请稍后再试。';
  send.disabled=false;}})
 .catch(function(){out.className='msg err';out.textContent='网络不通，请稍后再试。';send.disabled=false;});});
})();
"""


def _doc(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>{body}</main>"
            f"<script>{_SCRIPT}</script></body></html>")


def error_page(message: str) -> str:
    """A bad or foreign link: said in plain Chinese, no JSON for a phone's browser."""
    return _doc("服务评价", f"<h1>服务评价</h1><div class=\"msg err\">{escape(message)}</div>")


def render(info: RateInfoOut, *, post_url: str) -> str:
    """The page for one service; ``post_url`` is the JSON endpoint the form posts to."""
    where = f"{info.window_no}号窗口" if info.window_no else ""
    if info.window_name and info.window_name != where:
        where = f"{where}（{info.window_name}）" if where else info.window_name
    head = (f"<h1>{escape(info.hall_name)} · 服务评价</h1>"
            f"<p class=\"sub\">号码 {escape(info.ticket)}　{escape(where)}　{info.business_day.isoformat()}</p>")
    if info.rated:
        return _doc("服务评价", head + "<div class=\"msg\">这次服务已评价，感谢您的反馈。</div>")
    if not info.can_rate:
        return _doc("服务评价", head + "<div class=\"msg\">这次服务尚未办结，办结后再扫码评价即可。</div>")
    buttons = "".join(
        f"<button type=\"button\" class=\"lv{' bad' if lv.bad else ''}\" name=\"level\" "
        f"value=\"{escape(str(lv.level))}\">{escape(lv.label)}</button>" for lv in info.levels)
    reasons = "".join(
        f"<label class=\"r\"><input type=\"checkbox\" name=\"reason\" value=\"{escape(r.code)}\"> "
        f"{escape(r.label)}</label>" for r in info.reasons)
    form = (f"<form id=\"rate\" method=\"post\" action=\"{escape(post_url)}\">"
            f"<p>请您对本次服务进行评价：</p>{buttons}"
            f"<fieldset><legend>原因（可选）</legend>{reasons}</fieldset>"
            "<textarea name=\"comment\" maxlength=\"500\" rows=\"3\" placeholder=\"意见建议（可选）\"></textarea>"
            "<button id=\"send\" type=\"submit\" disabled>提交评价</button></form><div id=\"out\"></div>")
    return _doc("服务评价", head + form)

