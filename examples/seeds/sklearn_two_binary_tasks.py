"""Seed example 4 — two binary tasks from one make_classification-style data set, split by feature halves,
trained as one multi-task model with the scikit-learn-style estimator.

Each task's label depends on one half of the 20 features (task A on features 0–9, task B on 10–19); the
model sees all 20. ``polyhead.sklearn.MultiTaskClassifier`` trains a shared trunk with one head per task
(the loop runs in Polyhead's core) and reports each task's test accuracy. With scikit-learn installed the
data come from ``sklearn.datasets.make_classification``; without it, from a small numpy equivalent.

Run:  python examples/seeds/sklearn_two_binary_tasks.py [--epochs 50] [--weighting pcgrad]
"""

import argparse

import numpy as np

from polyhead.sklearn import MultiTaskClassifier


def make_half(n_samples, n_features, seed):
    """A binary classification data set: make_classification's, or class clusters at hypercube vertices."""
    try:
        from sklearn.datasets import make_classification
    except ImportError:
        rng = np.random.RandomState(seed)
        y = rng.randint(0, 2, n_samples)
        centers = rng.choice([-1.0, 1.0], size=(2, n_features))
        return centers[y] + rng.randn(n_samples, n_features), y
    return make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_features // 2,
                               n_redundant=0, random_state=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--weighting", default=None, help="a polyhead.mtl method name, e.g. pcgrad or uncertainty")
    args = parser.parse_args()
    x_a, y_a = make_half(1000, 10, seed=1)
    x_b, y_b = make_half(1000, 10, seed=2)
    X, Y = np.hstack([x_a, x_b]), np.column_stack([y_a, y_b])  # features 0–9 → task A, 10–19 → task B
    train, test = np.arange(800), np.arange(800, 1000)

    clf = MultiTaskClassifier(hidden_layer_sizes=(64,), head_sizes=(16,), weighting=args.weighting,
                              epochs=args.epochs, random_state=0)
    clf.fit(X[train], Y[train])
    mean = clf.score(X[test], Y[test])
    task_a, task_b = clf.task_scores_
    print(f"test accuracy: task A {task_a:.3f}, task B {task_b:.3f} (mean {mean:.3f})")


if __name__ == "__main__":
    main()
