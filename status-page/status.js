// The httppool status page: reads the server-sent events at <path>/events and
// draws the last five minutes on canvases, by hand (no library, no build).
// Each event is one tick: { time, processes: [sample, …] }; the charts show
// the sum over the processes, the table and the last chart one line per pid.
/* global document, window, EventSource */
'use strict';

(function () {
  const KEEP = 300; // frames: five minutes of 1 s ticks, as the server keeps
  const frames = [];
  const body = document.body;
  const charts = document.getElementById('charts');
  const state = document.getElementById('state');
  const PALETTE = ['#2e7d32', '#ef6c00', '#c62828', '#6a1b9a', '#1565c0', '#00838f', '#5d4037', '#9e9d24'];

  const sum = (list, key) => list.reduce((total, p) => total + (typeof p[key] === 'number' ? p[key] : 0), 0);
  const max = (list, key) => list.reduce((most, p) => Math.max(most, typeof p[key] === 'number' ? p[key] : 0), 0);
  const has = (list, key) => list.some((p) => typeof p[key] === 'number');

  // What each chart draws: series of [label, colour, value of a frame or undefined].
  const CHARTS = [
    {
      title: 'Requests/s by outcome',
      series: [
        ['2xx/3xx', PALETTE[0], (f) => sum(f.processes, 'ok')],
        ['4xx', PALETTE[1], (f) => sum(f.processes, 'clientError')],
        ['5xx', PALETTE[2], (f) => sum(f.processes, 'serverError')],
        ['shed 503', PALETTE[3], (f) => sum(f.processes, 'shed')],
      ],
    },
    { title: 'Queue depth', series: [['queued', PALETTE[4], (f) => sum(f.processes, 'queued')]] },
    {
      title: 'Queue wait (ms, worst process)',
      series: [
        ['p50', PALETTE[0], (f) => max(f.processes, 'queueWaitP50')],
        ['p99', PALETTE[2], (f) => max(f.processes, 'queueWaitP99')],
      ],
    },
    {
      title: 'Workers',
      series: [
        ['total', '#9e9e9e', (f) => sum(f.processes, 'workers')],
        ['busy', PALETTE[4], (f) => sum(f.processes, 'busy')],
        ['limit', PALETTE[1], (f) => (has(f.processes, 'limit') ? sum(f.processes, 'limit') : undefined)],
      ],
    },
    {
      title: 'Threads',
      when: (f) => has(f.processes, 'threads'),
      series: [
        ['threads', '#9e9e9e', (f) => (has(f.processes, 'threads') ? sum(f.processes, 'threads') : undefined)],
        ['busy', PALETTE[5], (f) => (has(f.processes, 'busyThreads') ? sum(f.processes, 'busyThreads') : undefined)],
      ],
    },
    {
      title: 'Event-loop delay (ms, worst process)',
      series: [
        ['p99', PALETTE[3], (f) => max(f.processes, 'loopDelayP99')],
        ['max', PALETTE[2], (f) => max(f.processes, 'loopDelayMax')],
      ],
    },
    { title: 'Heap used (MB)', series: [['heap', PALETTE[6], (f) => sum(f.processes, 'heapUsed') / 1048576]] },
    {
      title: 'Requests/s per process',
      when: (f) => f.processes.length > 1,
      perProcess: true,
      series: [],
    },
  ];

  const views = CHARTS.map((chart) => {
    const section = document.createElement('section');
    section.className = 'chart';
    section.hidden = chart.when !== undefined;
    const heading = document.createElement('h2');
    heading.textContent = chart.title;
    const legend = document.createElement('div');
    legend.className = 'legend';
    const canvas = document.createElement('canvas');
    canvas.width = 520;
    canvas.height = 160;
    section.append(heading, legend, canvas);
    charts.append(section);
    return { chart, section, legend, canvas, points: 0 };
  });
  const table = document.createElement('table');
  table.id = 'processes';
  charts.append(table);

  function seriesOf(view) {
    if (!view.chart.perProcess) return view.chart.series;
    const pids = new Set();
    for (const f of frames) for (const p of f.processes) pids.add(p.pid);
    const rate = (p) => p.ok + p.clientError + p.serverError + p.shed;
    const lines = [...pids]
      .sort((a, b) => a - b)
      .map((pid, i) => [
        'pid ' + pid,
        PALETTE[i % PALETTE.length],
        (f) => {
          const p = f.processes.find((q) => q.pid === pid);
          return p === undefined ? undefined : rate(p);
        },
      ]);
    lines.push(['sum', '#212121', (f) => f.processes.reduce((t, p) => t + rate(p), 0)]);
    return lines;
  }

  function draw(view) {
    const last = frames[frames.length - 1];
    if (view.chart.when !== undefined) view.section.hidden = last === undefined || !view.chart.when(last);
    if (view.section.hidden) return;
    const series = seriesOf(view);
    const { canvas } = view;
    const ctx = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    const pad = { left: 44, right: 8, top: 8, bottom: 18 };
    ctx.clearRect(0, 0, w, h);
    let top = 1;
    for (const [, , value] of series) for (const f of frames) top = Math.max(top, value(f) ?? 0);
    top = niceCeil(top);
    // Grid and scale.
    ctx.strokeStyle = '#e0e0e0';
    ctx.fillStyle = '#616161';
    ctx.font = '11px sans-serif';
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = pad.top + ((h - pad.top - pad.bottom) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(w - pad.right, y);
      ctx.stroke();
      ctx.fillText(format((top * (4 - i)) / 4), 2, y + 4);
    }
    ctx.fillText('-5 min', pad.left, h - 4);
    ctx.fillText('now', w - pad.right - 22, h - 4);
    const x = (i) => pad.left + ((w - pad.left - pad.right) * (KEEP - frames.length + i)) / (KEEP - 1);
    const y = (v) => pad.top + (h - pad.top - pad.bottom) * (1 - v / top);
    let points = 0;
    view.legend.textContent = '';
    for (const [label, colour, value] of series) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = label === 'sum' ? 2.5 : 1.5;
      ctx.beginPath();
      let pen = false;
      frames.forEach((f, i) => {
        const v = value(f);
        if (v === undefined) {
          pen = false;
          return;
        }
        if (pen) ctx.lineTo(x(i), y(v));
        else ctx.moveTo(x(i), y(v));
        pen = true;
        points++;
      });
      ctx.stroke();
      const now = last === undefined ? undefined : value(last);
      if (now === undefined) continue;
      const item = document.createElement('span');
      item.style.color = colour;
      item.textContent = label + ' ' + format(now);
      view.legend.append(item);
    }
    view.points = points;
    canvas.dataset.points = String(points);
  }

  function drawTable() {
    const last = frames[frames.length - 1];
    if (last === undefined) return;
    const cols = [
      ['pid', (p) => p.pid],
      ['req/s', (p) => p.ok + p.clientError + p.serverError + p.shed],
      ['shed/s', (p) => p.shed],
      ['queued', (p) => p.queued],
      ['busy', (p) => p.busy],
      ['workers', (p) => p.workers],
      ['wait p99 ms', (p) => p.queueWaitP99],
      ['loop p99 ms', (p) => p.loopDelayP99],
      ['heap MB', (p) => p.heapUsed / 1048576],
    ];
    const rows = last.processes.map((p) => cols.map(([, get]) => get(p)));
    if (last.processes.length > 1) {
      rows.push(
        cols.map(([name], i) => (i === 0 ? 'sum' : name.includes('p99') ? NaN : rows.reduce((t, r) => t + r[i], 0))),
      );
    }
    table.textContent = '';
    const head = table.createTHead().insertRow();
    for (const [name] of cols) head.insertCell().textContent = name;
    const tbody = table.createTBody();
    for (const row of rows) {
      const tr = tbody.insertRow();
      row.forEach((v, i) => (tr.insertCell().textContent = i === 0 ? String(v) : Number.isNaN(v) ? '' : format(v)));
    }
  }

  function niceCeil(v) {
    const step = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * step >= v) return m * step;
    return 10 * step;
  }

  function format(v) {
    if (v >= 100) return String(Math.round(v));
    if (v >= 10) return v.toFixed(1);
    return String(Math.round(v * 100) / 100);
  }

  let scheduled = false;
  function redraw() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(() => {
      scheduled = false;
      for (const view of views) draw(view);
      drawTable();
      body.dataset.frames = String(frames.length);
    });
  }

  const source = new EventSource(body.dataset.events);
  source.addEventListener('open', () => {
    state.textContent = 'live';
    state.className = 'live';
  });
  source.addEventListener('error', () => {
    state.textContent = 'reconnecting…';
    state.className = 'down';
  });
  source.addEventListener('sample', (event) => {
    frames.push(JSON.parse(event.data));
    if (frames.length > KEEP) frames.splice(0, frames.length - KEEP);
    body.dataset.received = String(Number(body.dataset.received ?? 0) + 1);
    redraw();
  });
})();
