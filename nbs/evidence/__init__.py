"The course's committed evidence (run histories, benchmark output), shipped inside the package: `importlib.resources.files('cifar_course.evidence')`."
