/* What the bulletin and the archive pages share: the colour-blind-safe palettes and the
   language switch. Risk levels follow ColorBrewer RdYlBu (low = blue, high = red; the levels
   differ in lightness as well as hue); series follow Okabe & Ito. */
(function () {
  "use strict";
  const RISK = {
    1: ["#d7191c"],
    2: ["#2c7bb6", "#d7191c"],
    3: ["#2c7bb6", "#fdae61", "#d7191c"],
    4: ["#2c7bb6", "#abd9e9", "#fdae61", "#d7191c"],
    5: ["#2c7bb6", "#abd9e9", "#ffffbf", "#fdae61", "#d7191c"],
  };
  window.tongchouPalette = {
    risk: (count) => RISK[count] || RISK[5],
    sequential: ["#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    noData: "#eceff3",
    undecided: "#b8bec6",
    series: { blue: "#0072B2", sky: "#56B4E9", orange: "#E69F00", green: "#009E73",
              vermillion: "#D55E00", ink: "#1b2430", bar: "#9cc3e0", navy: "#0f2f55" },
  };
  // The page holds both languages; the switch shows one, remembers it in the address
  // (#zh, #en) and lets the page redraw what it drew with words.
  window.tongchouLanguage = function (initial, titles, redraw) {
    const root = document.documentElement;
    const hash = location.hash.replace("#", "");
    let lang = hash === "zh" || hash === "en" ? hash : initial;
    const buttons = document.querySelectorAll(".lang-switch [data-set-lang]");
    function set(next) {
      lang = next;
      root.dataset.lang = next;
      root.lang = next === "zh" ? "zh-CN" : "en";
      document.title = titles[next];
      buttons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.setLang === next)));
      if (history.replaceState) history.replaceState(null, "", `#${next}`);
      redraw(next);
    }
    buttons.forEach((button) => button.addEventListener("click", () => set(button.dataset.setLang)));
    return { set, get: () => lang };
  };
})();
