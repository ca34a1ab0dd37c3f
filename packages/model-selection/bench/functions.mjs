// Standard test functions of the search benchmark (minimised), shared by search.mjs; search_peer.py
// defines the same ones. Global minima: Branin 0.397887, Hartmann-6 −3.32237, Rosenbrock 0.
export const FUNCTIONS = {
  branin: {
    bounds: [[-5, 10], [0, 15]],
    f: (x) => {
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const t = 1 / (8 * Math.PI);
      return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * Math.cos(x[0]) + 10;
    },
  },
  hartmann6: {
    bounds: Array.from({ length: 6 }, () => [0, 1]),
    f: (x) => {
      const alpha = [1.0, 1.2, 3.0, 3.2];
      const A = [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
      ];
      const P = [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
      ];
      let sum = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2;
        sum += alpha[i] * Math.exp(-inner);
      }
      return -sum;
    },
  },
  rosenbrock10: {
    bounds: Array.from({ length: 10 }, () => [-5, 10]),
    f: (x) => {
      let sum = 0;
      for (let i = 0; i < x.length - 1; i++) sum += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
      return sum;
    },
  },
};
