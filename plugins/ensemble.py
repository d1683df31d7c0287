"""`ensemble`: combine any registered classifiers, by soft voting or stacking.

    zoo run --classifier ensemble --param members=bigru,tfidf-logreg
    zoo run --classifier ensemble --param members=bigru,tfidf-logreg --param method=stacking

Every member is trained on the same training split (with its own default parameters, or a
preset's: give members their parameters by naming presets); ``soft`` averages their class
probabilities, ``stacking`` fits a logistic regression on the members' validation-split
probabilities (weighting classes by inverse frequency, as the zoo's classifiers do, since runs
are chosen by macro-F1; ``stacker_class_weight=none`` turns that off). The run folder holds each
member's own files under ``members/`` and ``ensemble.json`` (members, method and the stacker's
weights), so nothing is pickled.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from nlpzoo import Component, Param, Search, hookimpl


class Ensemble:
    def __init__(self, members: list[str] = ("bigru", "tfidf-logreg"), method: str = "soft", stacker_C: float = 1.0,
                 stacker_class_weight: str = "balanced"):
        from nlpzoo import ZooError, get_zoo

        self.names = [name.strip() for name in members if name.strip()]
        if len(self.names) < 2:
            raise ZooError(f"ensemble: members={members!r} names {len(self.names)} classifier(s); give two or more,"
                           " e.g. --param members=bigru,tfidf-logreg")
        zoo = get_zoo()
        self.components = [zoo.get("classifier", name) for name in self.names]  # an unknown name fails here
        for name, component in zip(self.names, self.components):
            # checked on the resolved component, not the spelling: a preset of an ensemble (one that names
            # itself would recurse for ever) or 'distribution:ensemble' is an ensemble too
            if component.name == "ensemble" or component.base == "ensemble" or component.factory is Ensemble:
                raise ZooError(f"ensemble: '{name}' is an ensemble, and an ensemble cannot be a member of one;"
                               " name its members instead, e.g. --param members=bigru,tfidf-logreg")
        self.method, self.stacker_C, self.stacker_class_weight = method, stacker_C, stacker_class_weight
        self.members = [component.build() for component in self.components]
        self.n_classes = 0
        self.stacker = None   # (coefficients (n_classes or 1, members * n_classes), intercepts)

    def fit(self, train, validation, settings):
        started = time.perf_counter()
        history = {"epochs": [], "interrupted": False, "members": {}}
        self.n_classes = train.n_classes
        for index, (name, member) in enumerate(zip(self.names, self.members)):
            settings.log(f"ensemble: training member {index + 1}/{len(self.members)}, {name}...")
            member_settings = replace(settings, checkpoint_dir=None, resume=False, on_epoch=None)
            member_history = member.fit(train, validation, member_settings)
            history["members"][name] = {k: v for k, v in member_history.items() if k in ("epochs", "best_epoch")}
            if member_history.get("interrupted"):
                history["interrupted"] = True
                raise KeyboardInterrupt  # a half-trained ensemble is not a model
        if self.method == "stacking":
            self._fit_stacker(validation, settings.seed)
        history["train_seconds"] = time.perf_counter() - started
        return history

    def _member_probabilities(self, texts):
        import numpy as np

        return [np.asarray(member.predict_proba(texts), dtype=np.float64) for member in self.members]

    def _fit_stacker(self, validation, seed: int) -> None:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        features = np.concatenate(self._member_probabilities(validation.texts), axis=1)
        weight = None if self.stacker_class_weight == "none" else self.stacker_class_weight
        stacker = LogisticRegression(C=self.stacker_C, class_weight=weight, max_iter=2000, random_state=seed)
        stacker.fit(features, validation.labels)
        coefficients = np.zeros((self.n_classes, features.shape[1]))
        intercepts = np.full(self.n_classes, -1e9)  # a class the validation split lacks is never predicted
        if len(stacker.classes_) == 2:   # scikit-learn keeps one row for two classes
            coefficients[stacker.classes_[1]], intercepts[stacker.classes_[1]] = stacker.coef_[0], stacker.intercept_[0]
            coefficients[stacker.classes_[0]], intercepts[stacker.classes_[0]] = 0.0, 0.0
        else:
            coefficients[stacker.classes_], intercepts[stacker.classes_] = stacker.coef_, stacker.intercept_
        self.stacker = (coefficients, intercepts)

    def predict_proba(self, texts):
        import numpy as np

        probabilities = self._member_probabilities(list(texts))
        if self.method == "soft" or self.stacker is None:
            return np.mean(probabilities, axis=0) if probabilities else np.zeros((len(texts), self.n_classes))
        coefficients, intercepts = self.stacker
        scores = np.concatenate(probabilities, axis=1) @ coefficients.T + intercepts
        scores -= scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def save(self, directory):
        directory = Path(directory)
        folders = []
        for index, (name, member) in enumerate(zip(self.names, self.members)):
            folder = directory / "members" / f"{index}-{name.replace(':', '_')}"
            folder.mkdir(parents=True, exist_ok=True)
            member.save(folder)
            folders.append(str(folder.relative_to(directory)))
        state = {"members": self.names, "folders": folders, "method": self.method, "n_classes": self.n_classes,
                 "stacker": None if self.stacker is None else {"coefficients": self.stacker[0].tolist(),
                                                                "intercepts": self.stacker[1].tolist()}}
        (directory / "ensemble.json").write_text(json.dumps(state, indent=2), "utf-8")

    def load(self, directory, device: str = "cpu"):
        import numpy as np

        from nlpzoo import RunDirError, inside

        directory = Path(directory)
        try:
            state = json.loads((directory / "ensemble.json").read_text("utf-8"))
            if state["members"] != self.names:
                raise ValueError(f"the folder holds members {state['members']}, not {self.names}")
            if not isinstance(state.get("folders"), list) or len(state["folders"]) != len(self.members):
                raise ValueError(f"it lists {len(state.get('folders') or [])} member folders for"
                                 f" {len(self.members)} members")
            for member, folder in zip(self.members, state["folders"]):
                member.load(inside(directory, folder, "ensemble.json 'folders'"), device=device)
            self.n_classes, self.method = int(state["n_classes"]), state["method"]
            if self.method not in ("soft", "stacking"):
                raise ValueError(f"method {self.method!r} is not soft or stacking")
            saved = state["stacker"]
            if self.method == "stacking":
                coefficients = np.asarray(saved["coefficients"], dtype=np.float64)
                intercepts = np.asarray(saved["intercepts"], dtype=np.float64)
                if coefficients.shape != (self.n_classes, self.n_classes * len(self.members)) \
                        or intercepts.shape != (self.n_classes,):
                    raise ValueError(f"the stacker's weights have the shape {coefficients.shape}, not"
                                     f" ({self.n_classes}, {self.n_classes * len(self.members)})")
                self.stacker = (coefficients, intercepts)
            else:
                self.stacker = None
        except (OSError, KeyError, TypeError, ValueError, json.JSONDecodeError) as error:
            raise RunDirError(f"{directory}: the saved ensemble is incomplete or was changed: ensemble.json"
                              f" ({type(error).__name__}: {error}). Train it again with 'zoo run'.") from None


@hookimpl
def register_classifiers(register):
    register(Component(
        name="ensemble",
        description="Any registered classifiers combined: soft voting or stacking (members=bigru,tfidf-logreg).",
        factory=Ensemble,
        params=[Param("members", list[str], ["bigru", "tfidf-logreg"], "The classifiers to combine, by name (presets"
                      " give members their own parameters); on the command line members=bigru,tfidf-logreg."),
                Param("method", str, "soft", "soft: average the members' probabilities; stacking: a logistic"
                      " regression on their validation-split probabilities.", choices=("soft", "stacking"),
                      search=Search.among("soft", "stacking")),
                Param("stacker_C", float, 1.0, "method=stacking: the stacker's inverse regularisation.", min=1e-6,
                      search=Search.range(0.01, 100.0, log=True)),
                Param("stacker_class_weight", str, "balanced", "method=stacking: balanced weighs the validation"
                      " reviews by inverse class frequency (for macro-F1 on unbalanced classes); none: equally.",
                      choices=("balanced", "none"), search=Search.among("balanced", "none"))],
        capabilities={"family": "ensemble", "task": "text-classification", "needs_download": False},
    ))
