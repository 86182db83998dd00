// JavaScript workloads inside the componentize-js (SpiderMonkey) engine, chosen by props.mode.
function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

const workloads = {
  sort() {
    const next = lcg(7);
    const a = Array.from({ length: 20000 }, () => next());
    a.sort((x, y) => x - y);
    return a[100];
  },
  json() {
    const rows = Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b', String(i % 7)], v: i * 1.5 }));
    let n = 0;
    for (let k = 0; k < 4; k++) n += JSON.parse(JSON.stringify(rows)).length;
    return n;
  },
  html() {
    let out = '<table>';
    for (let i = 0; i < 4000; i++) out += `<tr><td>${i}</td><td>${String(i * 31).replace(/3/g, '&amp;')}</td></tr>`;
    return (out + '</table>').length;
  },
  loop() {
    let h = 0;
    for (let i = 0; i < 3000000; i++) h = (h * 31 + i) | 0;
    return h;
  },
};

export function render(input) {
  const { props } = JSON.parse(input);
  const fn = workloads[props.mode];
  if (!fn) throw `unknown mode ${props.mode}`;
  return `<p>${props.mode} ${fn()}</p>`;
}
