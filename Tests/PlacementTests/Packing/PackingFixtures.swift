// Small benchmark instances, copied verbatim (as string literals, so that the test target needs
// no resource declaration) from ../shared/data/benchmarks. Sources and licences per fixture.

/// Fixture instance files.
enum PackingFixtures {
  /// BPPLIB (github.com/mdelorme2/BPPLIB @ 21941c8), Instances/Benchmarks/2_Scholl, file N1C1W1_A, byte-
  /// identical (CRLF line ends); CC BY-NC-ND 4.0; cite Delorme, Iori & Martello, Optimization Letters 12
  /// (2018) and Scholl, Klein & Jürgens, Computers & OR 24 (1997). Optimum 25
  /// (shared/data/benchmarks/bpp1d/optima.csv).
  static let scholl1N1C1W1A: String =
    "50\r\n100\r\n99\r\n99\r\n96\r\n96\r\n92\r\n92\r\n91\r\n88\r\n87\r\n86\r\n85\r\n76\r\n74\r\n72\r\n"
    + "69\r\n67\r\n67\r\n62\r\n61\r\n56\r\n52\r\n51\r\n49\r\n46\r\n44\r\n42\r\n40\r\n40\r\n33\r\n33\r\n"
    + "30\r\n30\r\n29\r\n28\r\n28\r\n27\r\n25\r\n24\r\n23\r\n22\r\n21\r\n20\r\n17\r\n14\r\n13\r\n11\r\n"
    + "10\r\n7\r\n7\r\n3\r\n"

  /// Vectorpack/experiments_vector_paper @ 09a07d9 (MIT, © 2023 Vectorpack), converted to the shared vbp
  /// format; Mommessin, Erlebach & Shakhlevich, Computers & OR (2025). Optimum 6, best published
  /// heuristic 6 (vbp/index.csv).
  static let panigrahyClass1_20_3_0: String =
    "3 20\n1000 1000 1000\n267 375 305\n142 157 143\n162 386 196\n356 336 385\n383 198 151\n361 247 1"
    + "37\n298 350 205\n320 279 379\n181 208 196\n167 301 399\n207 133 387\n282 169 116\n182 163 247\n1"
    + "18 163 242\n398 226 222\n237 385 178\n393 212 125\n354 398 362\n331 255 252\n256 147 186\n"

  /// Caprara–Toth 2-D vector packing set (OR-Datasets SPIEKSMA @ b15c160), converted to the shared vbp
  /// format; cite Caprara & Toth, Discrete Applied Mathematics 111 (2001). Optimum 8 (vbp/index.csv).
  static let spieksma10_24_01: String =
    "2 24\n100 100\n49 47\n47 34\n27 46\n21 46\n46 40\n30 44\n30 43\n43 11\n43 32\n43 41\n35 43\n29 4"
    + "2\n42 39\n31 40\n40 28\n39 26\n38 20\n36 25\n32 36\n35 33\n26 28\n18 23\n15 20\n5 13\n"
}
