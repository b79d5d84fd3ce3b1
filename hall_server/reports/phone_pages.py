"""The phone pages as HTML: my ticket, my case, the rating form on both, and the plain
pages for errors and 429. Plain Python strings, every value through ``html.escape``.

Why so plain: a phone on the hall's offline Wi-Fi must get everything in one answer
from the hall server (inline CSS and script, system fonts, no CDN), on an old browser,
and with JavaScript off (the rating form is a real form; the ticket page refreshes
itself through a ``<noscript>`` meta refresh). Sizes follow the 2021 适老化 rules and
WCAG 2.2: text at least 18 px (body 20 px), targets at least 44 × 44 px (48 here),
contrast at least 4.5:1 (the lightest text is #4a5561 on #f3f5f8, about 7:1).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from ..contract.accountability import RateInfoOut
from ..contract.phone import CasePhoneOut, TicketPhoneOut
from ..domain.money import yuan

_CSS = """
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:20px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;
background:#f3f5f8;color:#1d2733}main{max-width:600px;margin:0 auto;padding:12px 14px 32px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:21px;margin:18px 0 6px}.sub{color:#4a5561;margin:0 0 12px}
.card{background:#fff;border-radius:12px;padding:14px 16px;margin:12px 0;border:1px solid #d5dbe2}
.big{font-size:56px;font-weight:bold;letter-spacing:2px;color:#0d47a1;line-height:1.1}
.row{display:flex;justify-content:space-between;gap:12px;padding:8px 0;border-bottom:1px solid #e3e8ee}
.row:last-child{border-bottom:0}.row b{text-align:right;min-width:0;font-weight:600}.k{color:#4a5561;flex:none;white-space:nowrap}
.note{color:#4a5561;font-size:18px}.call{background:#0d47a1;color:#fff;font-size:26px;font-weight:bold}
.alert{background:#fff4d6;border:2px solid #8a5a00;color:#4d3300;font-weight:bold}
.err{color:#b71c1c}.ok{color:#1b5e20}
button,select,input,textarea,a.btn{font:inherit;min-height:48px}
button,a.btn{display:block;width:100%;padding:10px 14px;border-radius:10px;border:0;background:#0d47a1;color:#fff;
text-align:center;text-decoration:none;margin:10px 0}button.alt{background:#fff;color:#0d47a1;border:2px solid #0d47a1}
select,input[type=text]{width:100%;padding:8px 10px;border:2px solid #8795a5;border-radius:10px;background:#fff;color:#1d2733}
label.lv{display:flex;align-items:center;gap:12px;min-height:52px;padding:8px 14px;margin:8px 0;border:2px solid #8795a5;
border-radius:12px;background:#fff;font-size:22px}label.lv input{width:26px;height:26px}
label.r{display:inline-flex;align-items:center;gap:6px;min-height:48px;margin:4px 6px 4px 0;padding:4px 12px;
border:1px solid #8795a5;border-radius:24px;background:#fff;font-size:18px}label.r input{width:22px;height:22px}
textarea{width:100%;padding:8px;border:2px solid #8795a5;border-radius:10px}
ol.steps{list-style:none;padding:0;margin:0}ol.steps li{padding:8px 0 8px 18px;border-left:3px solid #0d47a1;margin-left:6px}
ol.steps time{display:block;color:#4a5561;font-size:18px}a{color:#0d47a1}[hidden]{display:none!important}
"""

_TICKET_JS = """
(function(){var root=document.getElementById('tk');if(!root)return;var base=root.getAttribute('data-base');
var key='hall-alert-'+base,fired='',ctx=null,es=null,polling=false,got=false;
function $(id){return document.getElementById(id)}
function set(id,t){var e=$(id);if(e)e.textContent=t}
function show(id,on){var e=$(id);if(e){if(on)e.removeAttribute('hidden');else e.setAttribute('hidden','')}}
function want(){var v=null;try{v=localStorage.getItem(key)}catch(e){}return v===null?null:parseInt(v,10)}
function beep(){try{var C=window.AudioContext||window.webkitAudioContext;if(!C)return;ctx=ctx||new C();
 [0,0.35].forEach(function(t){var o=ctx.createOscillator(),g=ctx.createGain();o.frequency.value=880;
 g.gain.value=0.2;o.connect(g);g.connect(ctx.destination);o.start(ctx.currentTime+t);o.stop(ctx.currentTime+t+0.25)})}catch(e){}}
function buzz(){document.body.setAttribute('data-alerted','1');
 if(navigator.vibrate){try{navigator.vibrate([400,150,400,150,400])}catch(e){}}beep()}
function fire(text){if(fired===text)return;fired=text;set('alert',text);show('alert',true);buzz()}
function render(s){got=true;document.body.setAttribute('data-version',s.version);
 if(s.state!==root.getAttribute('data-state')){
  if(s.state==='called'&&want()!==null&&s.window_no)fire('请到 '+s.window_no+' 号窗口办理！');
  setTimeout(function(){location.reload()},fired?4000:0);return}
 if(s.ahead!==null&&s.ahead!==undefined){set('ahead',s.ahead+' 人');document.body.setAttribute('data-ahead',s.ahead)}
 set('est',s.estimate_min===null?'暂无法估算':(s.estimate_min===0?'马上轮到您':'约 '+s.estimate_min+' 分钟'));
 set('basis',s.estimate_basis||'');var n=want();
 if(n!==null&&s.state==='waiting'&&s.ahead<=n&&!fired)fire('提醒：您前面还有 '+s.ahead+' 人，请回到等候区留意叫号。')}
function poll(){if(polling)return;polling=true;(function go(){fetch(base+'/status',{cache:'no-store'})
 .then(function(r){return r.json()}).then(function(s){if(s&&s.version)render(s)})
 .catch(function(){}).then(function(){setTimeout(go,10000)})})()}
if(root.getAttribute('data-live')==='1'){
 if(window.EventSource){es=new EventSource(base+'/events');
  es.addEventListener('status',function(e){render(JSON.parse(e.data))});
  es.onerror=function(){if(es.readyState===2)poll()};setTimeout(function(){if(!got)poll()},12000)}else poll()}
var sel=$('n'),btn=$('watch'),off=$('unwatch');
var tapped=false;document.addEventListener('click',function(){tapped=true;
 try{var C=window.AudioContext||window.webkitAudioContext;if(C&&!ctx)ctx=new C()}catch(e){}showWant()},true);
function showWant(){var n=want();set('watching',n===null?'':'已设置：前面还剩 '+n+' 人时提醒您（请保持本页打开）。'+
 (tapped?'':'手机只在轻触过页面后才允许振动和响铃，请轻触一下本页。'));show('unwatch',n!==null)}
if(btn)btn.addEventListener('click',function(){try{localStorage.setItem(key,sel.value)}catch(e){}fired='';
 try{var C=window.AudioContext||window.webkitAudioContext;if(C&&!ctx)ctx=new C()}catch(e){}showWant();
 var a=parseInt(document.body.getAttribute('data-ahead'),10);if(!isNaN(a)&&a<=parseInt(sel.value,10))
 fire('提醒：您前面还有 '+a+' 人，请回到等候区留意叫号。')});
if(off)off.addEventListener('click',function(){try{localStorage.removeItem(key)}catch(e){}show('alert',false);showWant()});
if(root.getAttribute('data-state')==='called'&&want()!==null)buzz();  // the call card says where
show('watchbox',true);showWant();
})();
"""

_RATE_JS = """
(function(){function $(id){return document.getElementById(id)}
var f=$('rate');if(f)f.addEventListener('submit',function(e){var lv=f.querySelector('input[name=level]:checked');
 if(!lv)return;e.preventDefault();var b=f.querySelector('button[type=submit]');b.disabled=true;
 var reasons=Array.prototype.map.call(f.querySelectorAll('input[name=reason]:checked'),function(x){return x.value});
 var body={level:lv.value,reasons:reasons},c=f.querySelector('textarea').value.trim();if(c)body.comment=c;
 fetch(f.getAttribute('data-json'),{method:'POST',headers:{'Content-Type':'application/json',
  'Idempotency-Key':'rate-'+Date.now()+'-'+Math.random().toString(36).slice(2)},body:JSON.stringify(body)})
 .then(function(r){return r.json().then(function(j){return [r.ok,j]})}).then(function(a){var o=$('rated');
  if(a[0]){f.setAttribute('hidden','');o.className='card ok';o.textContent=a[1].message||'感谢您的评价！';
   document.body.setAttribute('data-rated','js')}
  else{o.className='card err';o.textContent=(a[1].error&&a[1].error.message)||'提交失败，请稍后再试。';b.disabled=false}})
 .catch(function(){var o=$('rated');o.className='card err';o.textContent='网络不通，请稍后再试。';b.disabled=false})});
})();
"""


def _doc(title: str, body: str, *, script: str = "", refresh: int | None = None) -> str:
    meta = f"<noscript><meta http-equiv=\"refresh\" content=\"{refresh}\"></noscript>" if refresh else ""
    js = f"<script>{script}</script>" if script else ""
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<meta name=\"robots\" content=\"noindex\">{meta}<title>{escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><main>{body}</main>{js}</body></html>")


def _row(k: str, v: str, vid: str = "") -> str:
    idattr = f" id=\"{vid}\"" if vid else ""
    return f"<div class=\"row\"><span class=\"k\">{escape(k)}</span><b{idattr}>{escape(v)}</b></div>"


def _day(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _at(t: datetime | None, tz: ZoneInfo) -> str:
    if t is None:
        return ""
    x = t.astimezone(tz)
    return f"{x.year}年{x.month}月{x.day}日 {x:%H:%M}"


def message_page(title: str, message: str, *, hall_name: str = "") -> str:
    """A bad link, a wrong code, too many requests: one plain Chinese sentence."""
    head = f"<p class=\"sub\">{escape(hall_name)}</p>" if hall_name else ""
    return _doc(title, f"<h1>{escape(title)}</h1>{head}<div class=\"card err\">{escape(message)}</div>")


def rating_form(info: RateInfoOut, *, action: str, json_url: str, back: str = "") -> str:
    """The rate-later form: a real HTML form (radio buttons, POST) that works without
    JavaScript; with it, the page's script posts JSON instead and stays on the page."""
    if info.rated:
        return "<div class=\"card ok\" id=\"rated\">这次服务已评价，感谢您的反馈。</div>"
    if not info.can_rate:
        return ""
    levels = "".join(
        f"<label class=\"lv\"><input type=\"radio\" name=\"level\" value=\"{escape(str(lv.level))}\" required>"
        f"{escape(lv.label)}</label>" for lv in info.levels)
    reasons = "".join(
        f"<label class=\"r\"><input type=\"checkbox\" name=\"reason\" value=\"{escape(r.code)}\">{escape(r.label)}</label>"
        for r in info.reasons)
    hidden = f"<input type=\"hidden\" name=\"back\" value=\"{escape(back)}\">" if back else ""
    return (f"<h2>服务评价</h2><form id=\"rate\" class=\"card\" method=\"post\" action=\"{escape(action)}\" "
            f"data-json=\"{escape(json_url)}\">{hidden}<p>请您对本次服务进行评价：</p>{levels}"
            f"<p class=\"note\">原因（可选）</p>{reasons}"
            "<p class=\"note\">意见建议（可选）</p><textarea name=\"comment\" maxlength=\"500\" rows=\"3\"></textarea>"
            "<button type=\"submit\">提交评价</button></form><div id=\"rated\"></div>")


def ticket_page(t: TicketPhoneOut, *, base: str, rate_action: str, rate_json: str, notice: str = "") -> str:
    """My ticket. ``base`` is the page's own path: the script reads ``base/events`` (live)
    and ``base/status`` (polling)."""
    live = t.today and t.state in ("waiting", "called", "serving")
    parts = [f"<h1>我的排队号</h1><p class=\"sub\">{escape(t.hall_name)}</p>"]
    if notice:
        parts.append(f"<div class=\"card ok\">{escape(notice)}</div>")
    if live:  # where the page's alert appears (at N ahead, and when called)
        parts.append("<div id=\"alert\" class=\"card alert\" role=\"alert\" hidden></div>")
    if t.state == "called" and t.window_no:  # the one thing that matters now, first
        parts.append(f"<div class=\"card call\" role=\"alert\">请到 {t.window_no} 号窗口办理</div>")
    parts.append(f"<div class=\"card\"><div class=\"big\">{escape(t.number)}</div>"
                 f"{_row('业务', t.category_name or t.category)}{_row('状态', t.state_label, 'state')}")
    if t.state == "waiting" and t.today:
        parts.append(_row("前面还有", f"{t.ahead} 人", "ahead"))
        est = ("暂无法估算" if t.estimate_min is None else "马上轮到您" if t.estimate_min == 0
               else f"约 {t.estimate_min} 分钟")
        parts.append(_row("预计等候", est, "est"))
        parts.append(f"</div><p class=\"note\">预计等候时间仅供参考，是<span id=\"basis\">{escape(t.estimate_basis)}</span>"
                     "实际以现场叫号为准。过号请到咨询台。</p>")
    else:
        if t.window_no:
            parts.append(_row("办理窗口", f"{t.window_no} 号窗口" + (f"（{t.window_name}）" if t.window_name and
                                                                 t.window_name != f"{t.window_no}号窗口" else "")))
        parts.append("</div>")
    if t.state == "waiting" and t.today:
        opts = "".join(f"<option value=\"{n}\"{' selected' if n == 3 else ''}>前面还剩 {n} 人时</option>"
                       for n in (1, 2, 3, 5, 10))
        parts.append("<div class=\"card\" id=\"watchbox\" hidden><h2>快轮到时提醒我</h2>"
                     "<p class=\"note\">您可以离开等候区，保持本页打开，快轮到时手机会振动并响铃提示。</p>"
                     f"<label for=\"n\" class=\"note\">提醒时机</label><select id=\"n\">{opts}</select>"
                     "<button type=\"button\" id=\"watch\">开启提醒</button>"
                     "<p class=\"note\" id=\"watching\"></p><button type=\"button\" class=\"alt\" id=\"unwatch\" hidden>"
                     "取消提醒</button></div>"
                     "<noscript><p class=\"note\">本页每 30 秒自动刷新。开启提醒需要浏览器允许脚本。</p></noscript>")
    if t.rating is not None:
        parts.append(rating_form(t.rating, action=rate_action, json_url=rate_json))
    parts.append("<p class=\"note\">关闭本页后，再次扫描号票上的二维码即可回到这里。</p>")
    body = (f"<div id=\"tk\" data-base=\"{escape(base)}\" data-state=\"{escape(t.state)}\" "
            f"data-live=\"{'1' if live else '0'}\" data-window=\"{t.window_no or ''}\">" + "".join(parts) + "</div>")
    return _doc(f"{t.number} · 我的排队号", body, script=_TICKET_JS + _RATE_JS, refresh=30 if live else None)


def code_form(*, action: str, case_no: str, error: str = "", hall_name: str = "") -> str:
    """The case page without a (right) code: nothing of the case, just the question."""
    err = f"<div class=\"card err\">{escape(error)}</div>" if error else ""
    body = (f"<h1>办件进度查询</h1><p class=\"sub\">{escape(hall_name)}</p>{err}"
            f"<form class=\"card\" method=\"get\" action=\"{escape(action)}\">"
            f"<p>办件编号：<b>{escape(case_no)}</b></p>"
            "<label for=\"code\">请输入通知书上的查询码</label>"
            "<input type=\"text\" id=\"code\" name=\"code\" maxlength=\"20\" autocomplete=\"off\" "
            "autocapitalize=\"characters\" required><button type=\"submit\">查询</button></form>"
            "<p class=\"note\">查询码印在受理通知书上；扫描通知书上的二维码无需输入。</p>")
    return _doc("办件进度查询", body)


def case_page(cp: CasePhoneOut, *, tz: ZoneInfo, rating: RateInfoOut | None = None, rate_action: str = "",
              rate_json: str = "", back: str = "") -> str:
    rows = [_row("办件编号", cp.case_no), _row("申请人", cp.applicant_name), _row("事项", cp.matter_name)]
    if cp.department:
        rows.append(_row("办理部门", cp.department))
    rows.append(_row("当前状态", cp.state_label))
    limits = []
    if cp.promised_text:
        limits.append(_row("承诺时限", cp.promised_text.removeprefix("承诺 ")
                           + (f"（{_day(cp.due_date)}前）" if cp.due_date else "")))
    if cp.statutory_text:
        limits.append(_row("法定时限", cp.statutory_text.removeprefix("法定 ")
                           + (f"（{_day(cp.statutory_due_date)}前）" if cp.statutory_due_date else "")))
    if cp.clock_text and not cp.concluded_at:  # the last day is said above already
        limits.append(_row("剩余时间", re.sub(r"（[^（）]*到期）$", "", cp.clock_text)))
    fees = [_row("应缴未缴", yuan(cp.fees_owed_fen)), _row("已缴", yuan(cp.fees_paid_fen))]
    steps = "".join(f"<li><time>{escape(_at(s.at, tz))}</time>{escape(s.label)}</li>" for s in cp.steps)
    corr = ""
    if cp.to_correct:
        corr = ("<div class=\"card alert\">请补交以下材料：" + "、".join(escape(x) for x in cp.to_correct) + "</div>")
    phones = (_row("咨询电话", cp.enquiry_phone) + _row("投诉电话", cp.complaint_phone))
    body = (f"<h1>办件进度</h1><p class=\"sub\">{escape(cp.hall_name)}</p>{corr}"
            f"<div class=\"card\">{''.join(rows)}</div>"
            + (f"<h2>办理时限</h2><div class=\"card\">{''.join(limits)}</div>" if limits else "")
            + f"<h2>办理进程</h2><div class=\"card\"><ol class=\"steps\">{steps}</ol></div>"
            f"<h2>费用</h2><div class=\"card\">{''.join(fees)}</div>"
            f"<h2>联系电话</h2><div class=\"card\">{phones}</div>"
            + (rating_form(rating, action=rate_action, json_url=rate_json, back=back) if rating else "")
            + "<p class=\"note\">以上时间为大厅所在地时间；按工作日计算的时限不含法定节假日和休息日。</p>")
    return _doc(f"{cp.case_no} · 办件进度", body, script=_RATE_JS if rating and rating.can_rate else "")
