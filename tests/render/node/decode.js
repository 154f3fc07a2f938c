// Reads one JSON object per line: {"width": w, "height": h, "grey": base64 of w*h bytes},
// writes one JSON line per image: the hex of the bytes jsQR decodes, or null.
const jsQR = require("jsqr");
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { width, height, grey } = JSON.parse(line);
  const pixels = Buffer.from(grey, "base64");
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = pixels[i];
    rgba[4 * i + 3] = 255;
  }
  const code = jsQR(rgba, width, height, { inversionAttempts: "dontInvert" });
  process.stdout.write(JSON.stringify(code ? Buffer.from(code.binaryData).toString("hex") : null) + "\n");
});
