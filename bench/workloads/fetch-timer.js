/* global fetch */
// For the egress benchmark: fetches each of props.urls in turn and reports how long each fetch
// took as the guest sees it (performance.now around fetch + reading the body), in ms.
export async function render(input) {
  const { props } = JSON.parse(input);
  const ms = [];
  for (const url of props.urls) {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  return JSON.stringify(ms);
}
