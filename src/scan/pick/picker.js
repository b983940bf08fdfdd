// tagc pick: the picker page. Every string that comes from the scanned page (texts,
// locators, URLs) is data: it is set with textContent, value or setAttribute, never
// parsed as HTML.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  let data = null;
  let current = null;
  let countTimer = null;

  const el = (tag, props) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v);
    }
    return e;
  };

  const setStatus = (state, text) => {
    const s = $('status');
    s.dataset.state = state;
    s.textContent = text || '';
  };

  const showDiagnostics = (text) => {
    const d = $('diagnostics');
    d.textContent = text || '';
    d.hidden = !text;
  };

  const post = async (name, body) => {
    const r = await fetch(name, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const type = r.headers.get('Content-Type') || '';
    if (!type.startsWith('application/json')) {
      return { ok: false, diagnostics: `error: the picker answered ${r.status}: ${await r.text()}` };
    }
    return r.json();
  };

  const slug = (text) => {
    const s = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .split(/[^a-z0-9]+/).filter(Boolean).join('-').slice(0, 40).replace(/-+$/, '');
    return s || 'button';
  };

  const elements = () => data.report.elements;
  const sideButton = (i) => $('elements').querySelector(`button[data-index="${i}"]`);
  const overlay = (i) => $('overlays').querySelector(`div[data-index="${i}"]`);

  const markStatus = (i, status) => {
    for (const n of [sideButton(i), overlay(i)]) if (n) n.dataset.status = status;
  };

  const hover = (i, on) => {
    for (const n of [sideButton(i), overlay(i)]) if (n) n.classList.toggle('hover', on);
  };

  const where = () => {
    const w = $('where');
    const page = data.page
      ? `page ${data.page}`
      : data.new_page && data.new_page.id
        ? `no page matches: saving creates page ${data.new_page.id} (url: ${data.new_page.url})`
        : 'no page matches';
    w.textContent = `${data.report.final_url} — ${data.config}, ${page}`;
  };

  const init = (d) => {
    data = d;
    where();
    const notes = [];
    if (d.screenshot.truncated) notes.push(`the screenshot stops at ${d.screenshot.height} px of ${d.screenshot.document_height}: use the list for elements below`);
    if (!d.report.settled) notes.push('the page never settled: it was scanned as it was');
    $('note').textContent = notes.join('; ');
    const list = $('events');
    for (const name of d.events) list.appendChild(el('option', { value: name }));
    const img = $('shot-img');
    img.src = 'shot.png';
    const W = d.screenshot.width || 1;
    const H = d.screenshot.height || 1;
    const pct = (v, of) => `${(100 * v / of).toFixed(4)}%`;
    elements().forEach((e, i) => {
      const b = el('button', {
        type: 'button',
        text: e.text,
        title: e.locator ? (e.locator.text != null ? `text: ${e.locator.text}` : `selector: ${e.locator.selector}`) : 'no unique locator',
        dataset: { index: String(i), status: e.status, tag: e.tag, cta: String(e.call_to_action) },
      });
      b.addEventListener('click', () => open(i));
      b.addEventListener('mouseenter', () => hover(i, true));
      b.addEventListener('mouseleave', () => hover(i, false));
      $('elements').appendChild(b);
      const box = d.boxes[i];
      if (!box || box.width <= 0 || box.height <= 0 || box.y >= H) return;
      const o = el('div', { class: 'overlay', title: e.text, dataset: { index: String(i), status: e.status } });
      o.style.left = pct(box.x, W);
      o.style.top = pct(box.y, H);
      o.style.width = pct(Math.min(box.width, W - box.x), W);
      o.style.height = pct(Math.min(box.height, H - box.y), H);
      o.addEventListener('click', () => open(i));
      o.addEventListener('mouseenter', () => hover(i, true));
      o.addEventListener('mouseleave', () => hover(i, false));
      $('overlays').appendChild(o);
    });
    for (const s of d.saved || []) if (s.index != null) markStatus(s.index, 'tracked');
    document.body.dataset.ready = 'true';
  };

  const valueKind = () => document.querySelector('input[name="value"]:checked').value;

  const showValueFields = () => {
    const kind = valueKind();
    $('value-fields').hidden = kind === 'none';
    for (const l of $('value-fields').querySelectorAll('label[data-kind]')) l.hidden = l.dataset.kind !== kind;
  };

  const open = (i) => {
    current = i;
    const e = elements()[i];
    for (const n of document.querySelectorAll('.current')) n.classList.remove('current');
    for (const n of [sideButton(i), overlay(i)]) if (n) n.classList.add('current');
    const o = overlay(i);
    if (o) o.scrollIntoView({ block: 'nearest' });
    $('panel-title').textContent = e.text || `<${e.tag}>`;
    const tracked = $('panel-tracked');
    tracked.textContent = e.tracked_by.length
      ? `Already tracked by ${e.tracked_by.map((t) => `${t.button} (${t.event})`).join(', ')}`
      : '';
    tracked.hidden = !e.tracked_by.length;
    $('event').value = e.suggestion ? e.suggestion.event : '';
    document.querySelector('input[name="value"][value="none"]').checked = true;
    for (const id of ['value-amount', 'value-attr', 'value-closest', 'value-selector']) $(id).value = '';
    showValueFields();
    if (e.locator && e.locator.text != null) {
      $('locator-kind').value = 'text';
      $('locator').value = e.locator.text;
    } else {
      $('locator-kind').value = 'selector';
      $('locator').value = e.locator ? e.locator.selector : '';
    }
    $('within').value = (e.locator && e.locator.within) || '';
    $('on').value = e.tag === 'form' ? 'submit' : 'click';
    $('button-id').value = e.suggested_id || slug(e.text);
    setStatus('idle', '');
    showDiagnostics('');
    $('locator-count').textContent = e.locator ? '' : 'The scan found no unique locator: write a selector.';
    $('panel').hidden = false;
  };

  const locator = () => $('locator-kind').value === 'text'
    ? { kind: 'text', text: $('locator').value, within: $('within').value }
    : { kind: 'selector', selector: $('locator').value };

  const value = () => {
    const currency = $('currency').value;
    switch (valueKind()) {
      case 'constant': return { kind: 'constant', amount: $('value-amount').value, currency };
      case 'attribute': return { kind: 'attribute', name: $('value-attr').value, closest: $('value-closest').value, currency };
      case 'text': return { kind: 'text', selector: $('value-selector').value, currency };
      default: return { kind: 'none' };
    }
  };

  const save = async (ev) => {
    ev.preventDefault();
    if (current == null) return;
    const i = current;
    setStatus('saving', 'Saving…');
    showDiagnostics('');
    let answer;
    try {
      answer = await post('save', { index: i, event: $('event').value, value: value(), locator: locator(), id: $('button-id').value, on: $('on').value });
    } catch (err) {
      answer = { ok: false, diagnostics: `error: the picker cannot be reached (${err}); is tagc pick still running?` };
    }
    if (answer.ok) {
      const notes = (answer.notes || []).map((n) => ` Note: ${n}.`).join('');
      setStatus('saved', `Saved: ${answer.button} (${answer.event}) in ${answer.file}, line ${answer.line}.${notes}`);
      showDiagnostics(answer.warnings || '');
      if (Array.isArray(answer.elements)) {
        // Matched again against the saved configuration: every element's status.
        answer.elements.forEach((m, j) => {
          const e = elements()[j];
          if (!e) return;
          e.status = m.status;
          e.tracked_by = m.tracked_by;
          markStatus(j, m.status);
        });
      } else {
        const e = elements()[i];
        e.status = 'tracked';
        e.tracked_by.push({ button: answer.button, event: answer.event, on: $('on').value });
        markStatus(i, 'tracked');
      }
      if (!data.page) { data.page = answer.page; data.new_page = null; where(); }
    } else {
      setStatus('error', 'Not saved: the file is as it was.');
      showDiagnostics(answer.diagnostics);
    }
  };

  const recount = () => {
    clearTimeout(countTimer);
    countTimer = setTimeout(async () => {
      const l = locator();
      if ((l.text != null ? l.text : l.selector).trim() === '') { $('locator-count').textContent = ''; return; }
      try {
        const a = await post('locator', l);
        $('locator-count').textContent = a.ok
          ? `Matches ${a.count} element${a.count === 1 ? '' : 's'} in the page.`
          : a.message;
      } catch (err) { $('locator-count').textContent = ''; }
    }, 300);
  };

  const filter = () => {
    const q = $('filter').value.toLowerCase();
    for (const b of $('elements').children) b.hidden = q !== '' && !b.textContent.toLowerCase().includes(q);
  };

  document.addEventListener('DOMContentLoaded', () => {
    $('panel').addEventListener('submit', save);
    $('cancel').addEventListener('click', () => { $('panel').hidden = true; current = null; });
    for (const r of document.querySelectorAll('input[name="value"]')) r.addEventListener('change', showValueFields);
    for (const id of ['locator', 'within']) $(id).addEventListener('input', recount);
    $('locator-kind').addEventListener('change', recount);
    $('filter').addEventListener('input', filter);
    $('done').addEventListener('click', async () => {
      try { await post('quit', {}); } catch (err) { /* already stopped */ }
      document.body.dataset.done = 'true';
      $('note').textContent = 'Done: tagc pick has stopped; you can close this tab.';
    });
    fetch('scan.json')
      .then((r) => r.json())
      .then(init)
      .catch((err) => { $('note').textContent = `cannot load the scan: ${err}`; });
  });
})();
